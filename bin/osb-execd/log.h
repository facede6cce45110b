/* log.h — osb-execd's log: stderr, or EXECD_LOG_FILE; levels as syslog. */
#ifndef EXECD_LOG_H
#define EXECD_LOG_H

enum { LOG_ERR_ = 3, LOG_WARN_ = 4, LOG_INFO_ = 6 };

extern int execd_log_level;
extern int execd_log_fd;
void execd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

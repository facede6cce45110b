/*
 * config_file.h — writing the config file for `osb config`: a new one with
 * every key shown commented out, or one key set in place, every other
 * line, comment and blank kept as it was. Both write a temp file in the
 * same directory and rename it into place, mode 0600 since the file may
 * hold an API key; a symbolic link is followed, not replaced.
 */
#ifndef OSB_CONFIG_FILE_H
#define OSB_CONFIG_FILE_H

#include "error.h"

/*
 * Write a new config file at path, making the directories it needs (mode
 * 0700). An existing file is replaced only with force. Returns 0 when
 * written, 1 when it exists (and was left alone), -1 with err set.
 */
int osb_config_file_init(const char *path, int force, struct osb_error *);

/*
 * Set key ("connection.domain") to value in the config file at path: its
 * line when there is one, else the commented-out example of it, else a
 * new line at the end of its section, else a new section at the end. The
 * key and value are checked first (osb_config_value_text), and a file
 * with a line the reader cannot read is not touched. Returns 0, -1 with
 * err set.
 */
int osb_config_file_set(const char *path, const char *key, const char *value,
    struct osb_error *);

#endif

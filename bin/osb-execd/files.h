/* files.h — the file and directory endpoints of osb-execd. */
#ifndef EXECD_FILES_H
#define EXECD_FILES_H

#include "server.h"

/* GET /files/info, DELETE /files, POST /files/permissions, POST /files/mv */
int files_info(struct osb_req *);
int files_remove(struct osb_req *);
int files_chmod(struct osb_req *);
int files_move(struct osb_req *);
/* GET /files/search, POST /files/replace */
int files_search(struct osb_req *);
int files_replace(struct osb_req *);
/* POST /files/upload (its body goes to upload_body as it comes) */
int upload_body(struct osb_req *, const char *data, size_t len);
int upload_finish(struct osb_req *);
void upload_done(struct osb_req *);
/* GET /files/download */
int files_download(struct osb_req *);
/* GET /directories/list, POST /directories, DELETE /directories */
int dirs_list(struct osb_req *);
int dirs_make(struct osb_req *);
int dirs_remove(struct osb_req *);

#endif

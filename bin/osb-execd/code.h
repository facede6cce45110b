/*
 * code.h — the code interpreter of osb-execd, the /code endpoints of the
 * execd API, speaking to Jupyter kernels directly:
 *
 *   POST   /code/context             create a context (one kernel)
 *   GET    /code/contexts?language=  list contexts
 *   DELETE /code/contexts?language=  delete a language's contexts
 *   GET    /code/contexts/{id}       one context
 *   DELETE /code/contexts/{id}       delete it
 *   POST   /code                     run code, events as SSE
 *   DELETE /code?id=                 interrupt what a context runs
 */
#ifndef EXECD_CODE_H
#define EXECD_CODE_H

#include "server.h"

int code_context_create(struct osb_req *);
int code_contexts_list(struct osb_req *);
int code_contexts_delete(struct osb_req *);
int code_context_get(struct osb_req *);
int code_context_delete(struct osb_req *);
int code_run(struct osb_req *);
int code_interrupt(struct osb_req *);

/*
 * On shutdown: shut every kernel down (those that do not go within a
 * second are killed, with their process groups) and end their streams.
 */
void code_shutdown(void);

#endif

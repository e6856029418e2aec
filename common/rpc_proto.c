/* rpc_proto.c -- the JSON-RPC error helper shared by server and clients. */
#include "rpc_proto.h"

#include <stdarg.h>
#include <stdio.h>

void
rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* rpc_proto.h -- JSON-RPC 2.0 error object, codes and limits shared by the RPC server and clients. */
#ifndef AGENTCHAIN_RPC_PROTO_H
#define AGENTCHAIN_RPC_PROTO_H

#include <stddef.h>

/* Standard JSON-RPC 2.0 codes. */
#define RPC_PARSE_ERROR		-32700	/* the body is not JSON */
#define RPC_INVALID_REQUEST	-32600	/* JSON, but not a JSON-RPC 2.0 request */
#define RPC_METHOD_NOT_FOUND	-32601
#define RPC_INVALID_PARAMS	-32602	/* wrong count, type or range */
#define RPC_INTERNAL_ERROR	-32603	/* a handler failed without saying why */

/* Application codes, numbered as in Bitcoin Core so that scripts written
 * for it read ours the same way. */
#define RPC_MISC_ERROR		-1
#define RPC_TYPE_ERROR		-3
#define RPC_INVALID_ADDRESS	-5
#define RPC_INVALID_PARAMETER	-8
#define RPC_DESERIALIZATION_ERROR -22	/* hex or block/tx bytes that do not decode */
#define RPC_VERIFY_REJECTED	-26	/* a transaction the mempool refused */
#define RPC_IN_WARMUP		-28

/* Client side only, never sent by a server: the call did not get a
 * JSON-RPC answer (refused, timed out, HTTP 401, garbled reply, ...). */
#define RPC_TRANSPORT_ERROR	-1000

#define RPC_ERROR_MSGLEN	256

/* An error as JSON-RPC carries it.  MESSAGE is always NUL-terminated. */
struct rpc_error {
	int	code;
	char	message[RPC_ERROR_MSGLEN];
};

/* Fill ERR with CODE and a printf-formatted message, truncated to fit. */
void rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Cookie authentication (Bitcoin Core's .cookie): the file holds
 * "__cookie__:<64 hex digits>" and clients send it as HTTP Basic
 * user:password. */
#define RPC_COOKIE_USER		"__cookie__"
#define RPC_COOKIE_HEXLEN	64
#define RPC_COOKIE_LEN		(sizeof(RPC_COOKIE_USER) - 1 + 1 + RPC_COOKIE_HEXLEN)
/* Clients refuse to read a cookie file larger than this. */
#define RPC_COOKIE_FILE_MAX	1024

/* Where a running node's RPC listens, beside its cookie: one line
 * "ADDR:PORT" (the address actually bound), written at start and removed
 * at exit, so that clients given only the datadir find a node started
 * with a non-default rpc_listen. */
#define RPC_ENDPOINT_FILE	".rpc-endpoint"
#define RPC_ENDPOINT_FILE_MAX	128

/* Largest request body a server accepts (larger gets HTTP 413). */
#define RPC_MAX_BODY		(1024 * 1024)
/* Most requests in one batch; a larger batch is refused as a whole. */
#define RPC_MAX_BATCH		100

#endif

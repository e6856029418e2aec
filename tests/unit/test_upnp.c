/* test_upnp.c -- UPnP mapping: reply validation, no-IGD path, a fake IGD on loopback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "netaddr.h"
#include "../../node/upnp.h"

/* --- a fake IGD --------------------------------------------------------------
 *
 * One thread serving HTTP on 127.0.0.1: the root description on GET, SOAP
 * answers on POST, shaped by the fields below so each test can play a
 * different (mis)behaving router.  It records what it was asked. */

struct fake_igd {
	int		 lfd;
	uint16_t	 port;
	pthread_t	 thread;
	pthread_mutex_t	 mtx;

	/* behaviour, set before start */
	const char	*ext_ip;	/* NULL: answer without the field */
	int		 add_error;	/* UPnP error for AddPortMapping, 0 = ok */
	bool		 permanent_only;/* 725 unless the lease is 0 */
	bool		 not_igd;	/* describe a media server instead */
	bool		 disconnected;	/* GetStatusInfo says Disconnected */
	bool		 foreign_ctl;	/* control URL on another host */
	bool		 stall;		/* hold the first connection open */

	/* observations, under mtx */
	bool		 stop;
	bool		 release;	/* let a stalled connection go */
	bool		 in_stall;	/* holding a connection now */
	int		 n_get, n_status, n_add, n_delete, n_extip;
	char		 add_lease[16];
	char		 add_client[32];
	char		 add_ext_port[8];
	char		 add_in_port[8];
	char		 del_ext_port[8];
};

static bool
fake_flag(struct fake_igd *f, bool *flag)
{
	bool v;

	pthread_mutex_lock(&f->mtx);
	v = *flag;
	pthread_mutex_unlock(&f->mtx);
	return v;
}

/* Copy the text of <TAG>...</TAG> in BODY into OUT. */
static void
xml_value(const char *body, const char *tag, char *out, size_t outlen)
{
	char open[64], close[64];
	const char *p, *q;
	size_t n;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	out[0] = '\0';
	if ((p = strstr(body, open)) == NULL)
		return;
	p += strlen(open);
	if ((q = strstr(p, close)) == NULL)
		return;
	n = (size_t)(q - p);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, int code, const char *body)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: text/xml; "
	    "charset=\"utf-8\"\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    code, code == 200 ? "OK" : "Internal Server Error", strlen(body));
	send_all(fd, head, (size_t)n);
	send_all(fd, body, strlen(body));
}

#define SOAP_HEAD "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas." \
	"xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/" \
	"soap/encoding/\"><s:Body>"
#define SOAP_TAIL "</s:Body></s:Envelope>\r\n"
#define WANIP "urn:schemas-upnp-org:service:WANIPConnection:1"

static void
soap_ok(int fd, const char *action, const char *args)
{
	char body[2048];

	snprintf(body, sizeof body, SOAP_HEAD "<u:%sResponse xmlns:u=\"" WANIP
	    "\">%s</u:%sResponse>" SOAP_TAIL, action, args, action);
	respond(fd, 200, body);
}

static void
soap_fault(int fd, int code)
{
	char body[1024];

	snprintf(body, sizeof body, SOAP_HEAD "<s:Fault><faultcode>s:Client"
	    "</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError "
	    "xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>%d</errorCode>"
	    "<errorDescription>Error</errorDescription></UPnPError></detail>"
	    "</s:Fault>" SOAP_TAIL, code);
	respond(fd, 500, body);
}

static void
serve_rootdesc(struct fake_igd *f, int fd)
{
	char body[4096], ctl[128];

	if (f->foreign_ctl)
		snprintf(ctl, sizeof ctl, "http://127.0.0.2:%u/ctl/IPConn", f->port);
	else
		snprintf(ctl, sizeof ctl, "/ctl/IPConn");
	snprintf(body, sizeof body,
	    "<?xml version=\"1.0\"?>\r\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
	    "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
	    "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
	    "<friendlyName>fake</friendlyName><deviceList><device>"
	    "<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>"
	    "<serviceList><service><serviceType>urn:schemas-upnp-org:service:"
	    "WANCommonInterfaceConfig:1</serviceType><serviceId>urn:upnp-org:serviceId:"
	    "WANCommonIFC1</serviceId><controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>"
	    "/evt/CmnIfCfg</eventSubURL><SCPDURL>/WANCfg.xml</SCPDURL></service>"
	    "</serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:"
	    "WANConnectionDevice:1</deviceType><serviceList><service><serviceType>%s"
	    "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>"
	    "<controlURL>%s</controlURL><eventSubURL>/evt/IPConn</eventSubURL>"
	    "<SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList></device>"
	    "</deviceList></device></deviceList></device></root>\r\n",
	    f->not_igd ? "urn:schemas-upnp-org:service:ContentDirectory:1" : WANIP, ctl);
	respond(fd, 200, body);
}

static void
serve_soap(struct fake_igd *f, int fd, const char *req, const char *body)
{
	char lease[16], args[256];

	pthread_mutex_lock(&f->mtx);
	if (strstr(req, "#GetStatusInfo") != NULL) {
		f->n_status++;
		pthread_mutex_unlock(&f->mtx);
		snprintf(args, sizeof args, "<NewConnectionStatus>%s</NewConnectionStatus>"
		    "<NewLastConnectionError>ERROR_NONE</NewLastConnectionError>"
		    "<NewUptime>100</NewUptime>", f->disconnected ? "Disconnected" :
		    "Connected");
		soap_ok(fd, "GetStatusInfo", args);
	} else if (strstr(req, "#AddPortMapping") != NULL) {
		f->n_add++;
		xml_value(body, "NewLeaseDuration", lease, sizeof lease);
		snprintf(f->add_lease, sizeof f->add_lease, "%s", lease);
		xml_value(body, "NewInternalClient", f->add_client, sizeof f->add_client);
		xml_value(body, "NewExternalPort", f->add_ext_port, sizeof f->add_ext_port);
		xml_value(body, "NewInternalPort", f->add_in_port, sizeof f->add_in_port);
		pthread_mutex_unlock(&f->mtx);
		if (f->add_error != 0)
			soap_fault(fd, f->add_error);
		else if (f->permanent_only && strcmp(lease, "0") != 0)
			soap_fault(fd, 725);
		else
			soap_ok(fd, "AddPortMapping", "");
	} else if (strstr(req, "#GetExternalIPAddress") != NULL) {
		f->n_extip++;
		pthread_mutex_unlock(&f->mtx);
		if (f->ext_ip != NULL)
			snprintf(args, sizeof args, "<NewExternalIPAddress>%s"
			    "</NewExternalIPAddress>", f->ext_ip);
		else
			args[0] = '\0';
		soap_ok(fd, "GetExternalIPAddress", args);
	} else if (strstr(req, "#DeletePortMapping") != NULL) {
		f->n_delete++;
		xml_value(body, "NewExternalPort", f->del_ext_port, sizeof f->del_ext_port);
		pthread_mutex_unlock(&f->mtx);
		soap_ok(fd, "DeletePortMapping", "");
	} else {
		pthread_mutex_unlock(&f->mtx);
		soap_fault(fd, 401);
	}
}

/* Read one request (headers and Content-Length body) into BUF. */
static bool
read_request(int fd, char *buf, size_t len, char **body)
{
	size_t have = 0;
	long clen = 0;
	char *h = NULL, *cl;

	for (;;) {
		ssize_t n = recv(fd, buf + have, len - 1 - have, 0);

		if (n <= 0)
			return false;
		have += (size_t)n;
		buf[have] = '\0';
		if (h == NULL && (h = strstr(buf, "\r\n\r\n")) != NULL) {
			if ((cl = strcasestr(buf, "Content-Length:")) != NULL && cl < h)
				clen = strtol(cl + 15, NULL, 10);
		}
		if (h != NULL && (long)(have - (size_t)(h + 4 - buf)) >= clen)
			break;
		if (have >= len - 1)
			return false;
	}
	*body = h + 4;
	return true;
}

static void *
fake_igd_main(void *arg)
{
	struct fake_igd *f = arg;
	char req[16384], *body;
	struct pollfd pfd;
	struct timeval tv = { 2, 0 };
	bool stalled = false;

	while (!fake_flag(f, &f->stop)) {
		pfd.fd = f->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		int fd = accept(f->lfd, NULL, NULL);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (f->stall && !stalled) {
			stalled = true;
			pthread_mutex_lock(&f->mtx);
			f->in_stall = true;
			pthread_mutex_unlock(&f->mtx);
			while (!fake_flag(f, &f->release) && !fake_flag(f, &f->stop))
				poll(NULL, 0, 10);
			close(fd);
			continue;
		}
		if (read_request(fd, req, sizeof req, &body)) {
			if (strncmp(req, "GET ", 4) == 0) {
				pthread_mutex_lock(&f->mtx);
				f->n_get++;
				pthread_mutex_unlock(&f->mtx);
				serve_rootdesc(f, fd);
			} else if (strncmp(req, "POST ", 5) == 0)
				serve_soap(f, fd, req, body);
		}
		close(fd);
	}
	return NULL;
}

static void
fake_igd_start(struct fake_igd *f)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	int one = 1;

	pthread_mutex_init(&f->mtx, NULL);
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sin, &slen), 0);
	f->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_igd_main, f), 0);
}

static void
fake_igd_stop(struct fake_igd *f)
{
	pthread_mutex_lock(&f->mtx);
	f->stop = true;
	pthread_mutex_unlock(&f->mtx);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	pthread_mutex_destroy(&f->mtx);
}

/* --- a fake minissdpd ---------------------------------------------------------
 *
 * miniupnpc asks minissdpd's unix socket before it multicasts anything, so
 * this is how a test hands the worker an SSDP answer of its choosing
 * without a single packet on a network.  Protocol: a request byte and a
 * length-prefixed search type in; a device count, then per device the
 * LOCATION URL, ST and USN, each behind a one-byte length, out. */

struct fake_ssdpd {
	int		 lfd;
	char		 dir[64];
	char		 path[96];
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	bool		 stop;
	int		 queries;
	const char	*urls[2];	/* devices to announce (NULL: fewer) */
};

static void *
fake_ssdpd_main(void *arg)
{
	struct fake_ssdpd *f = arg;
	unsigned char req[512], resp[512];
	struct pollfd pfd;
	size_t n;

	for (;;) {
		pthread_mutex_lock(&f->mtx);
		bool stop = f->stop;
		pthread_mutex_unlock(&f->mtx);
		if (stop)
			break;
		pfd.fd = f->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		int fd = accept(f->lfd, NULL, NULL);
		if (fd == -1)
			continue;
		if (read(fd, req, sizeof req) > 0) {
			pthread_mutex_lock(&f->mtx);
			f->queries++;
			pthread_mutex_unlock(&f->mtx);
			n = 1;
			resp[0] = 0;
			for (int i = 0; i < 2 && f->urls[i] != NULL; i++) {
				const char *fields[3] = { f->urls[i],
				    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
				    "uuid:fake::urn:schemas-upnp-org:device:"
				    "InternetGatewayDevice:1" };

				resp[0]++;
				for (int k = 0; k < 3; k++) {
					size_t l = strlen(fields[k]);

					resp[n++] = (unsigned char)l;	/* < 128 */
					memcpy(resp + n, fields[k], l);
					n += l;
				}
			}
			send_all(fd, (const char *)resp, n);
		}
		close(fd);
	}
	return NULL;
}

static void
fake_ssdpd_start(struct fake_ssdpd *f)
{
	struct sockaddr_un sun;

	pthread_mutex_init(&f->mtx, NULL);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_upnp_ssdpd.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/sock", f->dir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_ssdpd_main, f), 0);
}

static void
fake_ssdpd_stop(struct fake_ssdpd *f)
{
	pthread_mutex_lock(&f->mtx);
	f->stop = true;
	pthread_mutex_unlock(&f->mtx);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
	pthread_mutex_destroy(&f->mtx);
}

/* --- driving the loop ------------------------------------------------------ */

#define MAX_SEEN 16

struct harness {
	struct event_base	*base;
	struct event		*watchdog;
	struct upnp_status	 seen[MAX_SEEN];
	int			 nseen;
	enum upnp_state		 want;
	int			 want_count;	/* break after this many WANT */
	int			 got;
	bool			 timed_out;
};

static void
on_status(void *arg, const struct upnp_status *st)
{
	struct harness *h = arg;

	if (h->nseen < MAX_SEEN)
		h->seen[h->nseen++] = *st;
	if (st->state == h->want && ++h->got >= h->want_count)
		event_base_loopbreak(h->base);
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct harness *h = arg;

	(void)fd;
	(void)what;
	h->timed_out = true;
	event_base_loopbreak(h->base);
}

static void
harness_init(struct harness *h)
{
	memset(h, 0, sizeof *h);
	h->base = event_base_new();
	assert_non_null(h->base);
	h->watchdog = evtimer_new(h->base, on_watchdog, h);
	assert_non_null(h->watchdog);
}

/* Run the loop until WANT has been reported COUNT times or MS pass. */
static void
harness_run(struct harness *h, enum upnp_state want, int count, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	h->want = want;
	h->want_count = count;
	h->got = 0;
	h->timed_out = false;
	evtimer_add(h->watchdog, &tv);
	event_base_dispatch(h->base);
	evtimer_del(h->watchdog);
}

static void
harness_free(struct harness *h)
{
	event_free(h->watchdog);
	event_base_free(h->base);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fake_opts(struct upnp_opts *o, const struct fake_igd *f, char *url, size_t urllen)
{
	snprintf(url, urllen, "http://127.0.0.1:%u/rootDesc.xml", f->port);
	memset(o, 0, sizeof *o);
	o->internal_port = 9333;
	o->external_port = 19333;
	o->rootdesc_url = url;
	o->retry_seconds = 60;
}

/* --- pure validation ---------------------------------------------------------- */

static void
test_validate_external_accepts_routable(void **state)
{
	struct netaddr a, want;
	char err[128];

	(void)state;
	assert_int_equal(upnp_validate_external("81.2.69.160", 9333, &a, err,
	    sizeof err), 0);
	assert_int_equal(netaddr_parse("81.2.69.160:9333", 1, &want), 0);
	assert_true(netaddr_equal(&a, &want));
	assert_int_equal(upnp_validate_external("255.255.255.254", 1, &a, err,
	    sizeof err), -1);	/* 240/4 */
	assert_int_equal(upnp_validate_external("1.1.1.1", 65535, &a, err,
	    sizeof err), 0);
}

static void
test_validate_external_rejects_nonroutable(void **state)
{
	static const char *bad[] = {
		"10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "127.0.0.1",
		"169.254.1.1", "0.0.0.0", "203.0.113.7", "198.51.100.1",
		"192.0.2.1", "224.0.0.1", "255.255.255.255",
	};
	struct netaddr a;
	char err[128];

	(void)state;
	memset(&a, 0x5a, sizeof a);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(upnp_validate_external(bad[i], 9333, &a, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, "non-routable external address"));
		assert_non_null(strstr(err, bad[i]));
	}
	assert_int_equal(a.ip[0], 0x5a);	/* OUT untouched on failure */
}

static void
test_validate_external_rejects_malformed(void **state)
{
	static const char *bad[] = {
		"1.2.3.4:80", "::1", "2001:4860::8888", "01.2.3.4", "1.2.3",
		"1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "abc", "1.2.3.256",
		"1.2.3.4.5", "1111111111111111111", "-1.2.3.4", "1.2.3.4/24",
	};
	struct netaddr a;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(upnp_validate_external(bad[i], 9333, &a, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, "malformed"));
	}
	assert_int_equal(upnp_validate_external("", 9333, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "no external address"));
	assert_int_equal(upnp_validate_external(NULL, 9333, &a, err, sizeof err), -1);
	/* Port 0 is not an endpoint anyone can dial. */
	assert_int_equal(upnp_validate_external("81.2.69.160", 0, &a, err,
	    sizeof err), -1);
	/* Control bytes are escaped before they reach the log. */
	assert_int_equal(upnp_validate_external("\x1b[2J1.2", 9333, &a, err,
	    sizeof err), -1);
	assert_null(strchr(err, '\x1b'));
	assert_non_null(strstr(err, "\\x1b[2J1.2"));
	/* A tiny error buffer is fine. */
	assert_int_equal(upnp_validate_external("10.0.0.1", 9333, &a, err, 4), -1);
	assert_int_equal(strlen(err), 3);
}

static void
test_url_host(void **state)
{
	static const char *bad[] = {
		"https://192.168.1.1/", "http://router.lan/", "http://[fe80::1]/",
		"http://192.168.1.1:0/", "http://192.168.1.1:65536/",
		"http://192.168.1.1:+80/", "http://192.168.1.1:080/",
		"http://192.168.1.1:80x/", "http://192.168.1.1:/",
		"http://1.2.3.4@192.168.1.1/", "http://192.168.1.1:80@1.2.3.4/",
		"http://", "", "ftp://192.168.1.1/", "http://192.168.1/",
		"http://192.168.1.1.5/", "http://192.168.1.1?x", "http:/192.168.1.1/",
		"http://192.168.1.1:123456/", "http://192.168.1.1/a b",
		"http://192.168.1.1/a\r\nHost: x", "http://192.168.1.1/\x80",
	};
	struct netaddr a, want;
	char *huge;

	(void)state;
	assert_int_equal(upnp_url_host("http://192.168.1.1:5000/rootDesc.xml", &a), 0);
	assert_int_equal(netaddr_parse("192.168.1.1:5000", 1, &want), 0);
	assert_true(netaddr_equal(&a, &want));
	assert_int_equal(upnp_url_host("HTTP://10.0.0.138", &a), 0);
	assert_int_equal(a.port, 80);
	assert_int_equal(upnp_url_host("http://10.0.0.138:65535/a/b?c", &a), 0);
	assert_int_equal(a.port, 65535);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(upnp_url_host(bad[i], &a), -1);
	assert_int_equal(upnp_url_host(NULL, &a), -1);

	huge = malloc(UPNP_URL_MAX + 16);
	assert_non_null(huge);
	memset(huge, 'a', UPNP_URL_MAX + 15);
	memcpy(huge, "http://10.0.0.1/", 16);
	huge[UPNP_URL_MAX + 15] = '\0';
	assert_int_equal(upnp_url_host(huge, &a), -1);
	huge[UPNP_URL_MAX - 1] = '\0';		/* 511 characters: accepted */
	assert_int_equal(upnp_url_host(huge, &a), 0);
	free(huge);
}

static void
test_validate_urls(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(upnp_validate_urls("http://192.168.1.1:5000/rootDesc.xml",
	    "http://192.168.1.1:5000/ctl/IPConn", true, err, sizeof err), 0);
	assert_int_equal(upnp_validate_urls("http://169.254.3.4/d.xml",
	    "http://169.254.3.4:80/ctl", true, err, sizeof err), 0);
	assert_int_equal(upnp_validate_urls("http://127.0.0.1:5000/d.xml",
	    "http://127.0.0.1:5000/ctl", false, err, sizeof err), 0);

	/* A description aiming SOAP at another host or port. */
	assert_int_equal(upnp_validate_urls("http://192.168.1.1:5000/d.xml",
	    "http://192.168.1.2:5000/ctl", true, err, sizeof err), -1);
	assert_non_null(strstr(err, "not on the device's host"));
	assert_int_equal(upnp_validate_urls("http://192.168.1.1:5000/d.xml",
	    "http://192.168.1.1:5001/ctl", true, err, sizeof err), -1);
	assert_int_equal(upnp_validate_urls("http://192.168.1.1:5000/d.xml",
	    "http://81.2.69.160:5000/ctl", false, err, sizeof err), -1);
	/* SSDP answers must come from the LAN. */
	assert_int_equal(upnp_validate_urls("http://81.2.69.160:5000/d.xml",
	    "http://81.2.69.160:5000/ctl", true, err, sizeof err), -1);
	assert_non_null(strstr(err, "not on the local network"));
	assert_int_equal(upnp_validate_urls("http://127.0.0.1:5000/d.xml",
	    "http://127.0.0.1:5000/ctl", true, err, sizeof err), -1);
	/* Garbage in either place. */
	assert_int_equal(upnp_validate_urls("gopher://x", "http://10.0.0.1/",
	    false, err, sizeof err), -1);
	assert_non_null(strstr(err, "description URL"));
	assert_int_equal(upnp_validate_urls("http://10.0.0.1/", NULL, false, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "control URL"));
	assert_int_equal(upnp_validate_urls(NULL, NULL, false, err, sizeof err), -1);
	assert_int_equal(upnp_validate_urls("http://10.0.0.1/", "http://10.0.0.1/\x7f\n",
	    false, err, sizeof err), -1);
	assert_null(strchr(err, '\n'));
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(upnp_state_name(UPNP_SEARCHING), "searching");
	assert_string_equal(upnp_state_name(UPNP_NO_IGD), "no-igd");
	assert_string_equal(upnp_state_name(UPNP_MAPPED), "mapped");
	assert_string_equal(upnp_state_name(UPNP_FAILED), "failed");
	assert_string_equal(upnp_state_name((enum upnp_state)42), "unknown");
}

static void
noop_cb(void *arg, const struct upnp_status *st)
{
	(void)arg;
	(void)st;
}

static void
test_start_rejects_bad_options(void **state)
{
	struct event_base *base = event_base_new();
	struct upnp_opts o;

	(void)state;
	assert_null(upnp_start(base, 0, 0, 0, NULL, NULL, noop_cb, NULL));
	assert_null(upnp_start(base, 9333, 0, 1, NULL, NULL, noop_cb, NULL));
	assert_null(upnp_start(base, 9333, 0, UPNP_MAX_LEASE + 1, NULL, NULL,
	    noop_cb, NULL));
	assert_null(upnp_start(base, 9333, 0, -5, NULL, NULL, noop_cb, NULL));
	assert_null(upnp_start(NULL, 9333, 0, 0, NULL, NULL, noop_cb, NULL));
	assert_null(upnp_start(base, 9333, 0, 0, NULL, NULL, NULL, NULL));
	memset(&o, 0, sizeof o);
	o.internal_port = 9333;
	o.rootdesc_url = "https://192.168.1.1/rootDesc.xml";
	assert_null(upnp_start_opts(base, &o, noop_cb, NULL));
	o.rootdesc_url = NULL;
	o.discover_delay_ms = UPNP_MAX_DISCOVER_MS + 1;
	assert_null(upnp_start_opts(base, &o, noop_cb, NULL));
	o.discover_delay_ms = 0;
	o.stop_timeout_ms = -1;
	assert_null(upnp_start_opts(base, &o, noop_cb, NULL));
	upnp_stop(NULL);
	event_base_free(base);
}

/* --- the no-IGD path ------------------------------------------------------------ */

/* Count lines in PATH holding both needles. */
static int
count_lines(const char *path, const char *a, const char *b)
{
	char line[4096];
	FILE *fp = fopen(path, "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL)
		if (strstr(line, a) != NULL && strstr(line, b) != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
test_no_igd_discovery(void **state)
{
	char logpath[] = "/tmp/test_upnp_log.XXXXXX", err[128];
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	double t0;
	int fd;

	(void)state;
	fd = mkstemp(logpath);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_open(logpath, err, sizeof err), 0);

	harness_init(&h);
	memset(&o, 0, sizeof o);
	o.internal_port = 9333;
	o.discover_delay_ms = 1000;	/* miniupnpc's floor */
	/* SSDP on loopback and a minissdpd socket that does not exist: the
	 * search stays on this host even where a real router is on the LAN. */
	o.multicast_if = "127.0.0.1";
	o.minissdpd_socket = "/nonexistent/minissdpd.sock";
	t0 = now_s();
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	assert_int_equal(upnp_last_status(u)->state, UPNP_SEARCHING);
	harness_run(&h, UPNP_NO_IGD, 1, 3000);
	assert_false(h.timed_out);
	assert_true(now_s() - t0 < 2.5);
	assert_int_equal(h.nseen, 2);
	assert_int_equal(h.seen[0].state, UPNP_SEARCHING);
	assert_int_equal(h.seen[1].state, UPNP_NO_IGD);
	assert_false(h.seen[1].has_external);
	assert_int_equal(upnp_last_status(u)->state, UPNP_NO_IGD);

	t0 = now_s();
	upnp_stop(u);
	assert_true(now_s() - t0 < 0.5);
	harness_free(&h);
	log_close();

	/* Exactly one clear info line, and nothing louder. */
	assert_int_equal(count_lines(logpath, "info ", "[upnp]"), 1);
	assert_int_equal(count_lines(logpath, "no UPnP internet gateway found",
	    "running without a port mapping"), 1);
	assert_int_equal(count_lines(logpath, "warn ", "[upnp]"), 0);
	assert_int_equal(count_lines(logpath, "error ", "[upnp]"), 0);
	unlink(logpath);
}

static void
test_no_igd_url_refused(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	char url[64];
	int fd;

	(void)state;
	/* A port nobody listens on: bind, learn it, close. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/rootDesc.xml",
	    ntohs(sin.sin_port));

	harness_init(&h);
	memset(&o, 0, sizeof o);
	o.internal_port = 9333;
	o.rootdesc_url = url;
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	harness_run(&h, UPNP_NO_IGD, 1, 3000);
	assert_false(h.timed_out);
	assert_non_null(strstr(h.seen[h.nseen - 1].error, "no answer"));
	upnp_stop(u);
	harness_free(&h);
}

/* --- against the fake IGD ---------------------------------------------------- */

static void
test_map_renew_unmap(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160" };
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	struct netaddr want;
	char url[64];
	const struct upnp_status *st;

	(void)state;
	fake_igd_start(&f);
	harness_init(&h);
	fake_opts(&o, &f, url, sizeof url);
	o.lease_seconds = 2;		/* renewed after one second */
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	harness_run(&h, UPNP_MAPPED, 2, 3000);
	assert_false(h.timed_out);

	assert_int_equal(h.seen[0].state, UPNP_SEARCHING);
	st = &h.seen[1];
	assert_int_equal(st->state, UPNP_MAPPED);
	assert_true(st->has_external);
	assert_int_equal(netaddr_parse("81.2.69.160:19333", 1, &want), 0);
	assert_true(netaddr_equal(&st->external, &want));
	assert_string_equal(st->igd_url, url);
	assert_string_equal(st->error, "");
	assert_int_equal(st->lease, 2);
	assert_true(st->mapped_at > 0 && st->mapped_at <= (int64_t)time(NULL));
	assert_int_equal(h.seen[2].state, UPNP_MAPPED);
	assert_true(h.seen[2].mapped_at >= st->mapped_at);

	upnp_stop(u);
	fake_igd_stop(&f);
	harness_free(&h);
	assert_int_equal(f.n_add, 2);
	assert_int_equal(f.n_status, 1);
	assert_string_equal(f.add_lease, "2");
	assert_string_equal(f.add_client, "127.0.0.1");
	assert_string_equal(f.add_ext_port, "19333");
	assert_string_equal(f.add_in_port, "9333");
	assert_int_equal(f.n_delete, 1);
	assert_string_equal(f.del_ext_port, "19333");
}

/* Run one fake-IGD scenario until WANT; returns the last status seen. */
static struct upnp_status
scenario(struct fake_igd *f, enum upnp_state want)
{
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	struct upnp_status last;
	char url[64];

	fake_igd_start(f);
	harness_init(&h);
	fake_opts(&o, f, url, sizeof url);
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	harness_run(&h, want, 1, 3000);
	assert_false(h.timed_out);
	last = h.seen[h.nseen - 1];
	upnp_stop(u);
	fake_igd_stop(f);
	harness_free(&h);
	return last;
}

static void
test_nonroutable_external_kept_not_advertised(void **state)
{
	struct fake_igd f = { .ext_ip = "10.0.0.1" };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_MAPPED);
	assert_false(st.has_external);
	assert_non_null(strstr(st.error,
	    "router reported a non-routable external address"));
	/* The mapping itself stands (double NAT may still forward) and is
	 * removed on stop. */
	assert_int_equal(f.n_add, 1);
	assert_int_equal(f.n_delete, 1);
}

static void
test_garbage_external(void **state)
{
	struct fake_igd f = { .ext_ip = "999.1.1.1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	struct fake_igd g = { .ext_ip = NULL };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_MAPPED);
	assert_false(st.has_external);
	assert_non_null(strstr(st.error, "malformed"));
	st = scenario(&g, UPNP_MAPPED);
	assert_false(st.has_external);
	assert_non_null(strstr(st.error, "external address"));
}

static void
test_mapping_refused(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160", .add_error = 718 };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_FAILED);
	assert_false(st.has_external);
	assert_non_null(strstr(st.error, "refused"));
	assert_non_null(strstr(st.error, "718"));
	assert_int_equal(f.n_add, 1);
	assert_int_equal(f.n_delete, 0);	/* nothing to remove */
}

static void
test_permanent_lease_fallback(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160", .permanent_only = true };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_MAPPED);
	assert_true(st.has_external);
	assert_int_equal(st.lease, 0);
	assert_int_equal(f.n_add, 2);
	assert_string_equal(f.add_lease, "0");
	assert_int_equal(f.n_delete, 1);
}

static void
test_foreign_control_url(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160", .foreign_ctl = true };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_FAILED);
	assert_non_null(strstr(st.error, "not on the device's host"));
	/* Rejected before a single SOAP request went anywhere. */
	assert_int_equal(f.n_get, 1);
	assert_int_equal(f.n_status + f.n_add + f.n_extip + f.n_delete, 0);
}

static void
test_not_an_igd(void **state)
{
	struct fake_igd f = { .not_igd = true };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_NO_IGD);
	assert_non_null(strstr(st.error, "not an internet gateway"));
	assert_int_equal(f.n_add, 0);
}

static void
test_disconnected_igd(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160", .disconnected = true };
	struct upnp_status st;

	(void)state;
	st = scenario(&f, UPNP_FAILED);
	assert_non_null(strstr(st.error, "link is down"));
	assert_int_equal(f.n_add, 0);
}

/* SSDP answers (here through a fake minissdpd) pointing anywhere but a
 * LAN address are dropped before anything is fetched from them. */
static void
test_discovered_device_off_lan_ignored(void **state)
{
	struct fake_igd f = { .ext_ip = "81.2.69.160" };
	struct fake_ssdpd d;
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	char loop_url[64];

	(void)state;
	fake_igd_start(&f);
	memset(&d, 0, sizeof d);
	/* A real IGD, but on loopback: an SSDP answer can never honestly
	 * come from there, so it is refused (the fake would have served). */
	snprintf(loop_url, sizeof loop_url, "http://127.0.0.1:%u/rootDesc.xml",
	    f.port);
	d.urls[0] = "http://192.168.1.1/a\r\nX: y";
	d.urls[1] = loop_url;
	fake_ssdpd_start(&d);

	harness_init(&h);
	memset(&o, 0, sizeof o);
	o.internal_port = 9333;
	o.minissdpd_socket = d.path;
	o.multicast_if = "127.0.0.1";
	o.retry_seconds = 60;
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	harness_run(&h, UPNP_FAILED, 1, 3000);
	assert_false(h.timed_out);
	/* miniupnpc reverses the list; either refusal may be the last. */
	assert_true(strstr(h.seen[h.nseen - 1].error, "not on the local network") !=
	    NULL || strstr(h.seen[h.nseen - 1].error, "unusable description URL \""
	    "http://192.168.1.1/a\\x0d\\x0aX: y\"") != NULL);
	upnp_stop(u);
	harness_free(&h);
	fake_ssdpd_stop(&d);
	fake_igd_stop(&f);
	assert_true(d.queries >= 1);
	assert_int_equal(f.n_get + f.n_status + f.n_add, 0);
}

static void
test_stop_bounded_when_router_stalls(void **state)
{
	struct fake_igd f = { .stall = true };
	struct harness h;
	struct upnp_opts o;
	struct upnp *u;
	char url[64];
	double t0;

	(void)state;
	fake_igd_start(&f);
	harness_init(&h);
	fake_opts(&o, &f, url, sizeof url);
	o.stop_timeout_ms = 200;
	u = upnp_start_opts(h.base, &o, on_status, &h);
	assert_non_null(u);
	harness_run(&h, UPNP_SEARCHING, 1, 3000);
	assert_false(h.timed_out);
	/* Wait until the worker sits in the stalled request. */
	for (int i = 0; i < 300 && !fake_flag(&f, &f.in_stall); i++)
		poll(NULL, 0, 10);
	assert_true(fake_flag(&f, &f.in_stall));
	t0 = now_s();
	upnp_stop(u);
	assert_true(now_s() - t0 < 1.0);
	/* No callback after stop, even when the worker gets its answer. */
	pthread_mutex_lock(&f.mtx);
	f.release = true;
	pthread_mutex_unlock(&f.mtx);
	h.nseen = 0;
	harness_run(&h, UPNP_NO_IGD, 1, 300);
	assert_int_equal(h.nseen, 0);
	fake_igd_stop(&f);
	harness_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_external_accepts_routable),
		cmocka_unit_test(test_validate_external_rejects_nonroutable),
		cmocka_unit_test(test_validate_external_rejects_malformed),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_validate_urls),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_start_rejects_bad_options),
		cmocka_unit_test(test_no_igd_discovery),
		cmocka_unit_test(test_no_igd_url_refused),
		cmocka_unit_test(test_map_renew_unmap),
		cmocka_unit_test(test_nonroutable_external_kept_not_advertised),
		cmocka_unit_test(test_garbage_external),
		cmocka_unit_test(test_mapping_refused),
		cmocka_unit_test(test_permanent_lease_fallback),
		cmocka_unit_test(test_foreign_control_url),
		cmocka_unit_test(test_not_an_igd),
		cmocka_unit_test(test_disconnected_igd),
		cmocka_unit_test(test_discovered_device_off_lan_ignored),
		cmocka_unit_test(test_stop_bounded_when_router_stalls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

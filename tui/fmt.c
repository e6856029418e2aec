/* fmt.c -- compact human-readable numbers for table cells.
 *
 * Table columns are narrow and fixed, so every formatter keeps to at most
 * six columns for realistic values and degrades to a wider but still
 * correct string for absurd ones rather than truncating digits. */
#include "fmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

char *
fmt_bytes(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)n;
	int u = 0;

	while (v >= 1024.0 && u < 6) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)n);
	else if (v < 9.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

char *
fmt_rate(double bps, char *buf, size_t len)
{
	char b[FMT_LEN];

	if (!(bps >= 0) || isinf(bps)) {
		snprintf(buf, len, "-");
		return buf;
	}
	fmt_bytes((uint64_t)(bps + 0.5), b, sizeof(b));
	snprintf(buf, len, "%s/s", b);
	return buf;
}

char *
fmt_duration(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s < 10 * 86400)
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	else if (s < 365 * 86400)
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
	else
		snprintf(buf, len, "%lldy", (long long)(s / (365 * 86400)));
	return buf;
}

char *
fmt_latency(double ms, char *buf, size_t len)
{
	if (!(ms >= 0) || isinf(ms))
		snprintf(buf, len, "-");
	else if (ms < 9.995)
		snprintf(buf, len, "%.2fms", ms);
	else if (ms < 99.95)
		snprintf(buf, len, "%.1fms", ms);
	else if (ms < 999.5)
		snprintf(buf, len, "%.0fms", ms);
	else if (ms < 9995)
		snprintf(buf, len, "%.2fs", ms / 1000.0);
	else
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	return buf;
}

char *
fmt_count(uint64_t n, char *buf, size_t len)
{
	if (n < 10000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 99950)
		snprintf(buf, len, "%.1fk", (double)n / 1e3);
	else if (n < 999500)
		snprintf(buf, len, "%.0fk", (double)n / 1e3);
	else if (n < 999500000)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else
		snprintf(buf, len, "%.1fG", (double)n / 1e9);
	return buf;
}

int
fmt_parse_duration(const char *s, int64_t max, int64_t *out)
{
	int64_t total = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		int64_t v = 0, mul;

		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s)) {
			if (v > (INT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (*s++ - '0');
		}
		switch (*s) {
		case '\0': mul = 1; break;
		case 's': mul = 1; s++; break;
		case 'm': mul = 60; s++; break;
		case 'h': mul = 3600; s++; break;
		case 'd': mul = 86400; s++; break;
		case 'w': mul = 7 * 86400; s++; break;
		default: return -1;
		}
		if (v > (INT64_MAX - total) / mul)
			return -1;
		total += v * mul;
	}
	if (total < 1 || total > max)
		return -1;
	*out = total;
	return 0;
}

char *
fmt_untrusted(const char *in, size_t inlen, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < inlen; i++) {
		char one[8] = "\\";
		size_t w;

		/* str_sanitize's rule for everything but the backslash, which
		 * only it writes and which is harmless on a terminal. */
		if (in[i] != '\\')
			str_sanitize(&in[i], 1, one, sizeof(one));
		w = strlen(one);
		if (o + w >= outlen)
			break;
		memcpy(out + o, one, w);
		o += w;
	}
	out[o] = '\0';
	return out;
}

bool
fmt_icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++) {
		size_t i;

		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return true;
	}
	return false;
}

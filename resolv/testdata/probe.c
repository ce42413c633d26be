/* probe: reads one query per line on stdin (tab-separated fields, "-" for
 * NULL) and prints glibc's answer in the canonical form that resolv's tests
 * print for the same query. Used only by the differential tests. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static char *field(char **s) {
	char *f = strsep(s, "\t");
	if (f == NULL || strcmp(f, "-") == 0) return NULL;
	return f;
}

static void addrtext(const struct sockaddr *sa, char *buf, size_t n, int *port) {
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, buf, n);
		*port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, n);
		*port = ntohs(s6->sin6_port);
	} else {
		snprintf(buf, n, "family%d", sa->sa_family);
		*port = 0;
	}
}

static void hostent(const char *what, struct hostent *h) {
	char buf[INET6_ADDRSTRLEN];
	if (h == NULL) { printf("%s h_errno=%d\n", what, h_errno); return; }
	printf("%s name=%s type=%d len=%d aliases=", what, h->h_name, h->h_addrtype, h->h_length);
	for (char **a = h->h_aliases; *a; a++) printf("%s,", *a);
	printf(" addrs=");
	for (char **a = h->h_addr_list; *a; a++) printf("%s,", inet_ntop(h->h_addrtype, *a, buf, sizeof buf));
	printf("\n");
}

static void servent(struct servent *s) {
	if (s == NULL) { printf("serv none\n"); return; }
	printf("serv name=%s port=%d proto=%s aliases=", s->s_name, ntohs(s->s_port), s->s_proto);
	for (char **a = s->s_aliases; *a; a++) printf("%s,", *a);
	printf("\n");
}

static void protoent(struct protoent *p) {
	if (p == NULL) { printf("proto none\n"); return; }
	printf("proto name=%s number=%d aliases=", p->p_name, p->p_proto);
	for (char **a = p->p_aliases; *a; a++) printf("%s,", *a);
	printf("\n");
}

static void gai(char *s) {
	char *node = field(&s), *serv = field(&s);
	struct addrinfo hints, *res, *r;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = atoi(field(&s));
	hints.ai_socktype = atoi(field(&s));
	hints.ai_protocol = atoi(field(&s));
	hints.ai_flags = strtol(field(&s), NULL, 0);
	int rc = getaddrinfo(node, serv, &hints, &res);
	if (rc != 0) { printf("gai error %d %s\n", rc, gai_strerror(rc)); return; }
	for (r = res; r; r = r->ai_next) {
		char buf[INET6_ADDRSTRLEN + 16];
		int port;
		addrtext(r->ai_addr, buf, sizeof buf, &port);
		printf("gai flags=%#x family=%d socktype=%d protocol=%d addr=%s port=%d canon=%s\n",
		       r->ai_flags, r->ai_family, r->ai_socktype, r->ai_protocol, buf, port,
		       r->ai_canonname ? r->ai_canonname : "-");
	}
	freeaddrinfo(res);
}

static void gni(char *s) {
	char *addr = field(&s);
	int port = atoi(field(&s));
	int flags = strtol(field(&s), NULL, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof ss);
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		s6->sin6_port = htons(port);
		len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s4->sin_addr);
		s4->sin_port = htons(port);
		len = sizeof *s4;
	}
	char host[1025], serv[32];
	int rc = getnameinfo((void *)&ss, len, host, sizeof host, serv, sizeof serv, flags);
	if (rc != 0) { printf("gni error %d %s\n", rc, gai_strerror(rc)); return; }
	printf("gni host=%s serv=%s\n", host, serv);
}

int main(void) {
	char line[4096];
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = 0;
		char *s = line, *op = strsep(&s, "\t");
		printf("> %s\n", op);
		if (!strcmp(op, "aton")) {
			struct in_addr a;
			int rc = inet_aton(s, &a);
			printf("aton %d %08x\n", rc, rc ? ntohl(a.s_addr) : 0);
		} else if (!strcmp(op, "addr")) {
			printf("addr %08x\n", ntohl(inet_addr(s)));
		} else if (!strcmp(op, "pton4") || !strcmp(op, "pton6")) {
			unsigned char b[16];
			char buf[INET6_ADDRSTRLEN];
			int af = op[4] == '4' ? AF_INET : AF_INET6;
			int rc = inet_pton(af, s, b);
			printf("%s %d %s\n", op, rc, rc == 1 ? inet_ntop(af, b, buf, sizeof buf) : "-");
		} else if (!strcmp(op, "gaistr")) {
			printf("gaistr %s\n", gai_strerror(atoi(s)));
		} else if (!strcmp(op, "gai")) {
			gai(s);
		} else if (!strcmp(op, "gni")) {
			gni(s);
		} else if (!strcmp(op, "ghbn")) {
			hostent("ghbn", gethostbyname(s));
		} else if (!strcmp(op, "ghbn2")) {
			char *name = field(&s);
			hostent("ghbn2", gethostbyname2(name, atoi(field(&s))));
		} else if (!strcmp(op, "ghba")) {
			unsigned char b[16];
			int af = strchr(s, ':') ? AF_INET6 : AF_INET;
			inet_pton(af, s, b);
			hostent("ghba", gethostbyaddr(b, af == AF_INET ? 4 : 16, af));
		} else if (!strcmp(op, "gsbn")) {
			char *name = field(&s);
			servent(getservbyname(name, field(&s)));
		} else if (!strcmp(op, "gsbp")) {
			int port = atoi(field(&s));
			servent(getservbyport(htons(port), field(&s)));
		} else if (!strcmp(op, "gpbn")) {
			protoent(getprotobyname(s));
		} else if (!strcmp(op, "gpbnum")) {
			protoent(getprotobynumber(atoi(s)));
		} else {
			printf("unknown op\n");
		}
	}
	return 0;
}

/* tunnel.conf: one tunnel, VyOS configuration paths below
 * `interfaces sstpc <name>` (see docs/config.md). */
#ifndef SSTPC_CORE_CONF_H
#define SSTPC_CORE_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/conf_pki.h"

#define CONF_MAX_PINS 4
#define CONF_MAX_ROUTES 32
#define CONF_MAX_AUTH 6
#define CONF_MAX_SERVERS 8

enum conf_srcvalid {
	CONF_SRCVALID_UNSET,
	CONF_SRCVALID_STRICT,
	CONF_SRCVALID_LOOSE,
	CONF_SRCVALID_DISABLE
};

/* Authentication methods, in the order given by `authentication protocols`. */
enum conf_auth {
	CONF_AUTH_EAP_MSCHAPV2 = 1,
	CONF_AUTH_MSCHAPV2,
	CONF_AUTH_PAP,
	CONF_AUTH_CHAP_MD5,
	CONF_AUTH_EAP_TLS,
	CONF_AUTH_PEAP
};

struct conf_route {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
};

struct conf {
	char path[PATH_MAX]; /* the file this came from ("" for a buffer) */
	char ifname[16];     /* interface sstpcN */
	char server[256];    /* IP literal or FQDN: the first `server` line */
	char servers[CONF_MAX_SERVERS]
		    [256]; /* every `server` line, in order (servers[0] == server) */
	int nservers;
	uint16_t port; /* 443 */
	char username[256];
	char password[256]; /* secret: never printed */
	char password_file[PATH_MAX];
	char ca_file[PATH_MAX];	       /* ssl ca-certificate; "" = system trust store */
	char cert_file[PATH_MAX];      /* ssl certificate: PEM chain + private key for mutual TLS */
	char auth_cert_file[PATH_MAX]; /* authentication certificate: the same, for EAP-TLS */
	char auth_ca_file[PATH_MAX];   /* authentication ca-certificate: the EAP server's CA; "" =
					  ssl's */
	char
	    auth_server_name[256]; /* authentication server-name: in the EAP server's certificate */
	/* pki entries (VyOS syntax); a certificate key whose value names one
	 * (no '/') refers to it: the flag is set and the value is the name */
	struct conf_pki pki[CONF_MAX_PKI];
	int npki;
	bool ca_pki, cert_pki, auth_cert_pki, auth_ca_pki;
	char server_name[256];		 /* ssl server-name: SNI/hostname to verify; "" = server */
	uint8_t pins[CONF_MAX_PINS][32]; /* ssl pin-sha256 (SHA-256 of the SubjectPublicKeyInfo) */
	int npins;
	char description[256]; /* -> IFLA_IFALIAS */
	unsigned mtu;	       /* 1452 */
	bool disable;
	char vrf[16];
	bool no_default_route;
	unsigned default_route_distance; /* 210 */
	bool no_peer_dns;
	int adjust_mss; /* 0 = off, -1 = clamp-mss-to-pmtu, else 536..65535 */
	bool ip_disable_forwarding;
	enum conf_srcvalid source_validation;
	bool ipv6_disable;			   /* ipv6 disable: no IPV6CP */
	struct conf_route routes[CONF_MAX_ROUTES]; /* ip route / ipv6 route PREFIX */
	int nroutes;
	enum conf_auth
	    auth[CONF_MAX_AUTH]; /* authentication protocols ...; default eap-mschapv2 mschapv2 */
	int nauth;
	bool auth_allow_none; /* authentication allow-none: a server may skip authentication */
	char proxy_host[256]; /* http-proxy HOST:PORT */
	uint16_t proxy_port;
	char proxy_user[256];	     /* http-proxy username */
	char proxy_password[256];    /* http-proxy password (secret) */
	unsigned keepalive_interval; /* LCP echo seconds, 30; 0 = off */
	unsigned keepalive_failure;  /* missed LCP echoes before down, 4 */
	unsigned sstp_hello;	     /* SSTP hello seconds, 60 */
	unsigned connect_timeout;    /* seconds for TCP+TLS+SSTP+PPP up, 30 */
	unsigned backoff_min;	     /* reconnect backoff-min seconds, 1 */
	unsigned backoff_max;	     /* reconnect backoff-max seconds, 60 */
	unsigned max_fail;	     /* reconnect max-fail, 0 = never give up */
	int log_level;		     /* enum log_level, notice */
	char up_script[PATH_MAX]; /* up-script: absolute path run after the tunnel is up; "" = none
				   */
	char down_script[PATH_MAX]; /* down-script: run as the tunnel goes down */
	unsigned script_timeout;    /* script-timeout seconds, 30: a hook still running is killed */
};

/* Fills every default. */
void conf_defaults(struct conf *c);
/* Parses a file (reading password-file too, and checking that the
 * ssl ca-certificate file can be opened). On error false, with
 * "FILE:LINE: what was expected" in err. */
bool conf_load(struct conf *c, const char *path, char *err, size_t errlen);
/* False when a file that holds a secret of c (the config file with an
 * inline password, the password file, a certificate file with its
 * private key) is accessible by group or others,
 * with "config file PATH holds a password and is accessible by group or
 * others (mode 644): chmod 600 PATH" in msg. The daemon refuses to start
 * then; --check only warns. */
bool conf_secrets_private(const struct conf *c, char *msg, size_t len);
/* Where some keys were given (0: not given), for checks made outside the
 * parser that still name FILE:LINE (the CLI's --check). */
struct conf_lines {
	unsigned vrf, ca_file, password_file, up_script, down_script;
	unsigned cert_file, auth_cert_file, auth_ca_file;
};
/* conf_load, also reporting those lines (lines may be NULL). */
bool conf_load_lines(struct conf *c, const char *path, struct conf_lines *lines, char *err,
		     size_t errlen);
/* Parses a buffer; name is used in messages. Does not read password-file. */
bool conf_parse(struct conf *c, const char *name, const char *buf, size_t len, char *err,
		size_t errlen);
/* Prints the effective configuration as VyOS paths, secrets masked. */
void conf_print(const struct conf *c, FILE *out);
const char *conf_auth_name(enum conf_auth a);

#endif

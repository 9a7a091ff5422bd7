/*
 * tacit-cli — what the wallet commands share: amounts in TAC, the passphrase (file,
 * environment or terminal without echo), private keys (a file or standard input, never the
 * command line), the wallet file's path.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "tacit/datadir.h"
#include "tacit/error.h"
#include "tacit/util.h"

#define PASSPHRASE_MAX 1024 /* bytes; a longer first line is refused, not cut */

const char *tacit_cli_devnet_dir(void)
{
    return tacit_cli_globals.datadir != NULL ? tacit_cli_globals.datadir
                                             : TACIT_DATADIR_DEVNET_DEFAULT;
}

/* ------------------------------------------------------------------ amounts ---- */

int tacit_cli_amount_parse(uint64_t *out, const char *s)
{
    uint64_t v = 0;
    size_t i = 0, frac = 0;
    *out = 0;
    if (s[0] < '0' || s[0] > '9') return TACIT_EENCODING; /* no sign, no ".5", no space */
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) return TACIT_EOVERFLOW;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, frac++) {
            if (frac == TACIT_CLI_UNIT_DIGITS) return TACIT_EENCODING; /* below a base unit */
            if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) return TACIT_EOVERFLOW;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (frac == 0) return TACIT_EENCODING; /* "1." */
    }
    if (s[i] != '\0') return TACIT_EENCODING;
    for (; frac < TACIT_CLI_UNIT_DIGITS; frac++) {
        if (v > UINT64_MAX / 10) return TACIT_EOVERFLOW;
        v *= 10;
    }
    *out = v;
    return TACIT_OK;
}

void tacit_cli_amount_format(char out[TACIT_CLI_AMOUNT_MAX], uint64_t v)
{
    uint64_t unit = 1000000000u; /* 10^TACIT_CLI_UNIT_DIGITS */
    int n = snprintf(out, TACIT_CLI_AMOUNT_MAX, "%llu", (unsigned long long)(v / unit));
    uint64_t f = v % unit;
    if (f != 0) {
        char digits[TACIT_CLI_UNIT_DIGITS + 1];
        int len = TACIT_CLI_UNIT_DIGITS;
        snprintf(digits, sizeof digits, "%09llu", (unsigned long long)f);
        while (digits[len - 1] == '0') len--;
        snprintf(out + n, (size_t)(TACIT_CLI_AMOUNT_MAX - n), ".%.*s", len, digits);
    }
}

/* --------------------------------------------------------------- passphrase ---- */

void tacit_cli_secret_free(struct tacit_cli_secret *s)
{
    if (s->buf != NULL) sodium_free(s->buf); /* sodium_free wipes */
    s->buf = NULL;
    s->len = 0;
}

static int secret_alloc(struct tacit_cli_secret *s)
{
    if ((s->buf = sodium_malloc(PASSPHRASE_MAX + 2)) == NULL) {
        fprintf(stderr, "tacit-cli: out of memory\n");
        return 1;
    }
    memset(s->buf, 0, PASSPHRASE_MAX + 2);
    s->len = 0;
    return 0;
}

/* Reads one line of f into s (without its "\n" or "\r\n"), byte by byte so that no stdio
 * buffer of ours keeps a copy. Returns 0, or 1 when the line is longer than PASSPHRASE_MAX. */
static int read_line(struct tacit_cli_secret *s, FILE *f)
{
    int c;
    s->len = 0;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (s->len == PASSPHRASE_MAX) {
            while ((c = getc(f)) != EOF && c != '\n') {}
            return 1;
        }
        s->buf[s->len++] = (char)c;
    }
    if (s->len > 0 && s->buf[s->len - 1] == '\r') s->len--;
    s->buf[s->len] = '\0';
    return 0;
}

/* Asks on the terminal tty with echo off (restored even when the read fails). */
static int ask(struct tacit_cli_secret *s, FILE *tty, const char *prompt)
{
    struct termios old, quiet;
    int rc, noecho = tcgetattr(fileno(tty), &old) == 0;
    fputs(prompt, tty);
    fflush(tty);
    if (noecho) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    rc = read_line(s, tty);
    if (noecho) tcsetattr(fileno(tty), TCSAFLUSH, &old);
    if (rc != 0) fprintf(stderr, "tacit-cli: passphrase longer than %d bytes\n", PASSPHRASE_MAX);
    return rc;
}

int tacit_cli_passphrase(struct tacit_cli_secret *out, int confirm)
{
    const char *file = tacit_cli_globals.passphrase_file, *env = getenv("TACIT_PASSPHRASE");
    FILE *f;
    int rc;

    if (secret_alloc(out) != 0) return 1;
    if (file != NULL) {
        if ((f = fopen(file, "r")) == NULL) {
            fprintf(stderr, "tacit-cli: cannot read the passphrase file %s: %s\n", file,
                    strerror(errno));
            tacit_cli_secret_free(out);
            return 1;
        }
        setvbuf(f, NULL, _IONBF, 0); /* no stdio buffer holding the passphrase */
        rc = read_line(out, f);
        fclose(f);
        if (rc != 0) {
            fprintf(stderr, "tacit-cli: passphrase file %s: first line longer than %d bytes\n",
                    file, PASSPHRASE_MAX);
            tacit_cli_secret_free(out);
            return 1;
        }
        return 0;
    }
    if (env != NULL) {
        if (strlen(env) > PASSPHRASE_MAX) {
            fprintf(stderr, "tacit-cli: TACIT_PASSPHRASE longer than %d bytes\n", PASSPHRASE_MAX);
            tacit_cli_secret_free(out);
            return 1;
        }
        out->len = strlen(env);
        memcpy(out->buf, env, out->len);
        return 0;
    }
    if (!isatty(STDIN_FILENO) || (f = fopen("/dev/tty", "r+")) == NULL) {
        fprintf(stderr, "tacit-cli: the wallet needs a passphrase: --passphrase-file PATH or "
                        "TACIT_PASSPHRASE (no terminal to ask on)\n");
        tacit_cli_secret_free(out);
        return 2;
    }
    setvbuf(f, NULL, _IONBF, 0);
    rc = ask(out, f, "wallet passphrase: ");
    if (rc == 0 && confirm) {
        struct tacit_cli_secret again = {0};
        if ((rc = secret_alloc(&again)) == 0 && (rc = ask(&again, f, "again: ")) == 0 &&
            (again.len != out->len || sodium_memcmp(again.buf, out->buf, out->len) != 0)) {
            fprintf(stderr, "tacit-cli: the two passphrases differ\n");
            rc = 1;
        }
        tacit_cli_secret_free(&again);
    }
    fclose(f);
    if (rc != 0) tacit_cli_secret_free(out);
    return rc;
}

/* ------------------------------------------------------------ private keys ---- */

/* The key text of s (a line): surrounding blanks dropped, then 0x<64 hex> or 64 hex. */
static int key_decode(uint8_t key[32], struct tacit_cli_secret *s)
{
    size_t a = 0, b = s->len;
    while (a < b && (s->buf[a] == ' ' || s->buf[a] == '\t')) a++;
    while (b > a && (s->buf[b - 1] == ' ' || s->buf[b - 1] == '\t')) b--;
    s->buf[b] = '\0';
    return tacit_hex_decode(key, 32, s->buf + a, false) == TACIT_OK ? 0 : 1;
}

int tacit_cli_read_key(uint8_t key[32], const char *path, const char *what)
{
    struct tacit_cli_secret s = {0};
    FILE *f;
    struct stat st;
    int rc;

    if (secret_alloc(&s) != 0) return 1;
    if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO)) {
        if ((f = fopen("/dev/tty", "r+")) == NULL) {
            fprintf(stderr, "tacit-cli: %s -: cannot open the terminal: %s\n", what,
                    strerror(errno));
            tacit_cli_secret_free(&s);
            return 1;
        }
        setvbuf(f, NULL, _IONBF, 0);
        rc = ask(&s, f, "private key (0x + 64 hex, not shown): ");
        fclose(f);
    } else if (strcmp(path, "-") == 0) {
        setvbuf(stdin, NULL, _IONBF, 0); /* no stdio buffer holding the key */
        rc = read_line(&s, stdin);
    } else {
        if ((f = fopen(path, "r")) == NULL) {
            fprintf(stderr, "tacit-cli: %s %s: cannot read it: %s\n", what, path, strerror(errno));
            tacit_cli_secret_free(&s);
            return 1;
        }
        if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
            fprintf(stderr,
                    "tacit-cli: warning: the key file %s is readable or writable by others "
                    "(chmod 600 it)\n",
                    path);
        setvbuf(f, NULL, _IONBF, 0);
        rc = read_line(&s, f);
        fclose(f);
    }
    if (rc != 0 || key_decode(key, &s) != 0) {
        fprintf(stderr,
                "tacit-cli: %s %s: want a secp256k1 private key, 0x and 64 hex digits, on the "
                "first line\n",
                what, path);
        tacit_cli_secret_free(&s);
        sodium_memzero(key, 32);
        return 1;
    }
    tacit_cli_secret_free(&s);
    return 0;
}

/* ------------------------------------------------------- recovery phrases ---- */

int tacit_cli_read_phrase(struct tacit_cli_secret *out, const char *path)
{
    FILE *f;
    int rc;
    if (secret_alloc(out) != 0) return 1;
    if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO)) {
        if ((f = fopen("/dev/tty", "r+")) == NULL) {
            fprintf(stderr, "tacit-cli: cannot open the terminal: %s\n", strerror(errno));
            tacit_cli_secret_free(out);
            return 1;
        }
        setvbuf(f, NULL, _IONBF, 0);
        rc = ask(out, f, "recovery phrase (the words on one line, not shown): ");
        fclose(f);
    } else if (strcmp(path, "-") == 0) {
        setvbuf(stdin, NULL, _IONBF, 0); /* no stdio buffer holding the phrase */
        rc = read_line(out, stdin);
    } else {
        struct stat st;
        if ((f = fopen(path, "r")) == NULL) {
            fprintf(stderr, "tacit-cli: the phrase file %s: cannot read it: %s\n", path,
                    strerror(errno));
            tacit_cli_secret_free(out);
            return 1;
        }
        if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
            fprintf(stderr,
                    "tacit-cli: warning: the phrase file %s is readable or writable by others "
                    "(chmod 600 it)\n",
                    path);
        setvbuf(f, NULL, _IONBF, 0);
        rc = read_line(out, f);
        fclose(f);
    }
    if (rc != 0) {
        fprintf(stderr, "tacit-cli: the recovery phrase: want its words on one line\n");
        tacit_cli_secret_free(out);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the file ---- */

/* mkdir -p with mode 0700 (wallet directories hold private files). */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

char *tacit_cli_wallet_path(int create)
{
    const char *w = tacit_cli_globals.wallet;
    char *home;
    char dir[4096], *path;
    size_t n;

    if (w == NULL) w = getenv("TACIT_WALLET");
    if (w == NULL) w = "default";
    if (w[0] == '\0') {
        fprintf(stderr, "tacit-cli: --wallet: empty path\n");
        return NULL;
    }
    if (strchr(w, '/') != NULL || strchr(w, '.') != NULL) {
        if ((path = strdup(w)) == NULL) fprintf(stderr, "tacit-cli: out of memory\n");
        return path;
    }
    /* A bare name: one directory holds the wallets side by side. */
    if (tacit_cli_globals.devnet) {
        n = (size_t)snprintf(dir, sizeof dir, "%s/" TACIT_DATADIR_WALLETS, tacit_cli_devnet_dir());
    } else {
        if ((home = tacit_datadir_home_default()) == NULL) {
            fprintf(stderr, "tacit-cli: no $HOME for ~/" TACIT_DATADIR_HOME_DEFAULT
                            "/" TACIT_DATADIR_WALLETS ": give --wallet PATH\n");
            return NULL;
        }
        n = (size_t)snprintf(dir, sizeof dir, "%s/" TACIT_DATADIR_WALLETS, home);
        free(home);
    }
    if (n >= sizeof dir || (create && make_dirs(dir) != 0)) {
        fprintf(stderr, "tacit-cli: cannot create the wallet directory %s: %s\n", dir,
                strerror(errno));
        return NULL;
    }
    if ((path = malloc(n + strlen(w) + sizeof "/.wallet")) == NULL) {
        fprintf(stderr, "tacit-cli: out of memory\n");
        return NULL;
    }
    sprintf(path, "%s/%s.wallet", dir, w);
    return path;
}

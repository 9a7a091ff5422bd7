/*
 * tests/notify_listen.c — stands in for systemd's notification socket in tests/cli_tacitd.sh:
 * binds a Unix datagram socket at argv[1] (what $NOTIFY_SOCKET names, sd_notify(3)) and writes
 * each message it receives to stdout as one line (its newlines as '|'), flushed, until it is
 * killed. No ctest by itself.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un sun;
    char buf[4096];
    int fd;

    if (argc != 2 || strlen(argv[1]) >= sizeof sun.sun_path) {
        fprintf(stderr, "usage: notify_listen SOCKET-PATH\n");
        return 2;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, argv[1]);
    unlink(argv[1]);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, (const struct sockaddr *)&sun, sizeof sun) != 0) {
        perror("notify_listen");
        return 1;
    }
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n < 0) continue;
        buf[n] = '\0';
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\n') buf[i] = '|';
        printf("%s\n", buf);
        fflush(stdout);
    }
}

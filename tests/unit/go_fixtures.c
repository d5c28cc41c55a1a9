/* go_fixtures: what the Go-binary unit tests share about the fixture binaries. */
#include "tests/unit/go_fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

int go_fixtures_versions(const char *dir, char version[][64], int max)
{
    int n = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < max) {
        size_t l = strlen(e->d_name);
        if (l > 8 && l < 64 + 8 && strcmp(e->d_name + l - 8, ".version") == 0) {
            memcpy(version[n], e->d_name, l - 8);
            version[n++][l - 8] = '\0';
        }
    }
    if (d)
        closedir(d);
    return n;
}

uint64_t go_fixtures_nm_addr(const char *nmfile, const char *name)
{
    char line[1024];
    uint64_t found = 0;
    FILE *f = fopen(nmfile, "r");
    if (!f)
        fail_msg("%s: fopen: %s", nmfile, strerror(errno));
    while (!found && fgets(line, sizeof(line), f)) {
        uint64_t addr;
        char type;
        int pos = 0;
        line[strcspn(line, "\n")] = '\0';
        /* The name is the rest of the line: Go symbol names may contain spaces. */
        if (sscanf(line, "%" SCNx64 " %c %n", &addr, &type, &pos) >= 2 && pos > 0 &&
            strcmp(line + pos, name) == 0)
            found = addr;
    }
    fclose(f);
    return found;
}

static size_t put_uvarint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

size_t go_fixtures_buildinfo(uint8_t *buf, const char *version, const char *modinfo)
{
    memset(buf, 0, 32);
    memcpy(buf, "\xff Go buildinf:", 14);
    buf[14] = 8;
    buf[15] = 2;
    size_t pos = 32;
    pos += put_uvarint(buf + pos, strlen(version));
    memcpy(buf + pos, version, strlen(version));
    pos += strlen(version);
    size_t mlen = strlen(modinfo);
    pos += put_uvarint(buf + pos, mlen + 32);
    memset(buf + pos, 0x5a, 16);
    memcpy(buf + pos + 16, modinfo, mlen);
    memset(buf + pos + 16 + mlen, 0xa5, 16);
    return pos + mlen + 32;
}

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

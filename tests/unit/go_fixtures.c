/* go_fixtures: what the Go-binary unit tests share about the fixture binaries. */
#include "tests/unit/go_fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* The .gopclntab section of a fixture, copied to an exact-size buffer. */
uint8_t *go_fixtures_pclntab(const char *path, size_t *len)
{
    elf_version(EV_CURRENT);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    assert_non_null(e);
    size_t shstrndx;
    assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
    uint8_t *out = NULL;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL && !out) {
        GElf_Shdr sh;
        assert_non_null(gelf_getshdr(scn, &sh));
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name || strcmp(name, ".gopclntab") != 0)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        assert_non_null(d);
        out = malloc(d->d_size);
        assert_non_null(out);
        memcpy(out, d->d_buf, d->d_size);
        *len = d->d_size;
    }
    elf_end(e);
    close(fd);
    assert_non_null(out);
    return out;
}

/* The link-time address of the section holding addr in path, and its name; 0 if none. */
static uint64_t section_of(const char *path, uint64_t addr, const char *want, char *name,
                           size_t nlen)
{
    elf_version(EV_CURRENT);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail_msg("%s: open: %s", path, strerror(errno));
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    assert_non_null(e);
    size_t shstrndx;
    assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
    uint64_t found = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL && !found) {
        GElf_Shdr sh;
        assert_non_null(gelf_getshdr(scn, &sh));
        const char *n = elf_strptr(e, shstrndx, sh.sh_name);
        if (!n || sh.sh_addr == 0 || !(sh.sh_flags & SHF_ALLOC))
            continue;
        if (want ? strcmp(n, want) == 0 : addr - sh.sh_addr < sh.sh_size) {
            found = sh.sh_addr;
            snprintf(name, nlen, "%s", n);
        }
    }
    elf_end(e);
    close(fd);
    return found;
}

uint64_t go_fixtures_same_place(const char *from, const char *to, uint64_t addr)
{
    char name[256] = "";
    uint64_t a = section_of(from, addr, NULL, name, sizeof(name));
    uint64_t b = a ? section_of(to, 0, name, name, sizeof(name)) : 0;
    if (!a || !b)
        fail_msg("%#" PRIx64 " of %s: no section of that name in %s", addr, from, to);
    return addr - a + b;
}

/* go_binary: Go version, build id and symbol addresses read once from a Go executable. */
#include "target/go_binary.h"
#include "target/go_buildinfo.h"
#include "target/elf_reloc.h"
#include "target/go_moduledata.h"
#include "target/go_pclntab.h"
#include "target/go_symtab.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOTE_GO_BUILDID 4
#define NOTE_GNU_BUILD_ID 3
#define SYMBOLS_IDLE_NS (10 * 1000000000LL)

struct go_binary {
    char *path;
    char version[BUILDINFO_MAX_VERSION];
    char modpath[512];
    char default_godebug[2048];    /* build setting DefaultGODEBUG; "" none */
    char build_id[256];
    bool pie;
    bool dwarf;
    const char *arch;              /* GOARCH spelling of the ELF machine */
    enum go_symbol_source source;
    dev_t dev;
    ino_t ino;
    uint64_t min_vaddr;            /* lowest PT_LOAD p_vaddr */
    struct go_symtab tab;          /* symbols by name and functions by address */
    /* Where the pcln table is in the file, for readers of its line and frame tables
     * (go_binary_pcln): found for every binary, symbols from .symtab or not. */
    uint64_t pcln_off;             /* file offset */
    size_t pcln_len;               /* 0: none found */
    uint64_t pcln_text;            /* link-time text base its offsets count from */
    uint64_t gofunc;               /* link-time address of go:func.*, 0 unknown */
    uint64_t pcln_vaddr;           /* link-time address of the table */
    /* The symbol index is a cache of the file: used at attach and when a collector
     * opens later, idle for the rest of a session (~0.5 MB for 7k functions). Trimmed
     * after SYMBOLS_IDLE_NS unused, rebuilt from the file by the next lookup. */
    pthread_mutex_t lock;          /* the index and what follows */
    bool trimmed;
    int64_t used_ns;               /* CLOCK_MONOTONIC of the last lookup */
};

/* The ELF file mapped read-only; every read goes through bounds checks on raw/size. */
struct image {
    int fd;
    Elf *elf;
    const uint8_t *raw;
    size_t size;
    size_t shnum;
    size_t shstrndx;
};

static void image_close(struct image *im)
{
    if (im->elf)
        elf_end(im->elf);
    if (im->fd >= 0)
        close(im->fd);
    im->elf = NULL;
    im->fd = -1;
}

__attribute__((format(printf, 3, 4)))
static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
    if (!msg || msglen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

/* Open and classify the file. Fills msg on failure; the caller closes on success. */
static int image_open(struct image *im, const char *path, struct stat *st, char *msg,
                      size_t msglen)
{
    memset(im, 0, sizeof(*im));
    /* O_NONBLOCK so that a FIFO given by mistake cannot hang the caller. */
    im->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (im->fd < 0) {
        set_msg(msg, msglen, "%s: open: %s", path, strerror(errno));
        return GO_BINARY_ERR_OPEN;
    }
    if (fstat(im->fd, st) < 0) {
        int e = errno;
        set_msg(msg, msglen, "%s: fstat: %s", path, strerror(e));
        image_close(im);
        errno = e;
        return GO_BINARY_ERR_OPEN;
    }
    if (!S_ISREG(st->st_mode)) {
        int e = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
        set_msg(msg, msglen, "%s: open: %s", path,
                e == EISDIR ? strerror(e) : "not a regular file");
        image_close(im);
        errno = e;
        return GO_BINARY_ERR_OPEN;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        set_msg(msg, msglen, "%s: libelf: %s", path, elf_errmsg(-1));
        image_close(im);
        return GO_BINARY_ERR_OPEN;
    }
    im->elf = elf_begin(im->fd, ELF_C_READ_MMAP, NULL);
    GElf_Ehdr eh;
    if (!im->elf || elf_kind(im->elf) != ELF_K_ELF || !gelf_getehdr(im->elf, &eh)) {
        set_msg(msg, msglen, "%s: not an ELF file", path);
        image_close(im);
        return GO_BINARY_ERR_NOT_ELF;
    }
    im->raw = (const uint8_t *)elf_rawfile(im->elf, &im->size);
    if (!im->raw || elf_getshdrnum(im->elf, &im->shnum) < 0 ||
        elf_getshdrstrndx(im->elf, &im->shstrndx) < 0)
        im->shnum = 0;  /* treat unreadable section headers as stripped ones */
    if (!im->raw) {
        set_msg(msg, msglen, "%s: elf_rawfile: %s", path, elf_errmsg(-1));
        image_close(im);
        return GO_BINARY_ERR_OPEN;
    }
    return GO_BINARY_OK;
}

static Elf_Scn *find_section(const struct image *im, const char *name, GElf_Shdr *sh)
{
    Elf_Scn *scn = NULL;
    if (im->shnum == 0)
        return NULL;
    while ((scn = elf_nextscn(im->elf, scn)) != NULL) {
        if (!gelf_getshdr(scn, sh))
            continue;
        const char *n = elf_strptr(im->elf, im->shstrndx, sh->sh_name);
        if (n && strcmp(n, name) == 0)
            return scn;
    }
    return NULL;
}

/* A section's bytes inside the file image, or NULL (NOBITS, out of the file). */
static const uint8_t *section_bytes(const struct image *im, const GElf_Shdr *sh,
                                    size_t *len)
{
    if (sh->sh_type == SHT_NOBITS || sh->sh_offset > im->size ||
        sh->sh_size > im->size - sh->sh_offset)
        return NULL;
    *len = sh->sh_size;
    return im->raw + sh->sh_offset;
}

/* len bytes at link-time address addr, from the file part of a PT_LOAD, or NULL. */
static const uint8_t *image_at(const struct image *im, uint64_t addr, size_t len)
{
    size_t n = 0;
    if (elf_getphdrnum(im->elf, &n) < 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
            continue;
        if (addr < ph.p_vaddr || addr - ph.p_vaddr >= ph.p_filesz)
            continue;
        uint64_t off = addr - ph.p_vaddr;
        if (len > ph.p_filesz - off || ph.p_offset > im->size ||
            off + len > im->size - ph.p_offset)
            return NULL;
        return im->raw + ph.p_offset + off;
    }
    return NULL;
}

/* ---- .go.buildinfo ---------------------------------------------------------------- */

static const uint8_t *image_reader(const void *ctx, uint64_t addr, size_t len)
{
    return image_at(ctx, addr, len);
}

/* The buildinfo blob: the section, or (no section headers) a scan of the segments. */
static const uint8_t *find_buildinfo(const struct image *im, size_t *len)
{
    GElf_Shdr sh;
    if (im->shnum > 0) {
        Elf_Scn *scn = find_section(im, ".go.buildinfo", &sh);
        return scn ? section_bytes(im, &sh, len) : NULL;
    }
    size_t n = 0;
    if (elf_getphdrnum(im->elf, &n) < 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
            ph.p_offset > im->size || ph.p_filesz > im->size - ph.p_offset)
            continue;
        /* The linker aligns buildinfo to 16 bytes, so only aligned offsets are tried. */
        const uint8_t *seg = im->raw + ph.p_offset;
        for (uint64_t off = 0; off + BUILDINFO_HDR <= ph.p_filesz; off += 16) {
            if (memcmp(seg + off, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN) == 0) {
                *len = ph.p_filesz - off;
                return seg + off;
            }
        }
    }
    return NULL;
}

int go_binary_peek_version(const char *path, char *version, size_t len)
{
    struct image im;
    struct stat st;
    size_t blen = 0;
    if (version && len)
        version[0] = '\0';
    int rc = image_open(&im, path, &st, NULL, 0);
    if (rc != GO_BINARY_OK)
        return rc;
    const uint8_t *bi = find_buildinfo(&im, &blen);
    rc = bi ? go_buildinfo_decode(bi, blen, image_reader, &im, version, len, NULL, 0)
            : GO_BINARY_ERR_NOT_GO;
    image_close(&im);
    return rc;
}

/* ---- build id ----------------------------------------------------------------------- */

/* Scan one block of notes; Go's own id wins over the GNU one. Returns 1 on a Go id. */
static int scan_notes(Elf_Data *data, char *go_id, size_t glen, char *gnu_id, size_t nlen)
{
    GElf_Nhdr nh;
    size_t off = 0, name_off, desc_off, next;
    while (data && off < data->d_size &&
           (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
        const char *name = (const char *)data->d_buf + name_off;
        const uint8_t *desc = (const uint8_t *)data->d_buf + desc_off;
        /* Go's linker writes the name padded to "Go\0\0" with n_namesz 4. */
        if ((nh.n_namesz == 3 || nh.n_namesz == 4) && memcmp(name, "Go", 3) == 0 &&
            nh.n_type == NOTE_GO_BUILDID) {
            int n = (int)strnlen((const char *)desc, nh.n_descsz < 1024 ? nh.n_descsz : 1024);
            snprintf(go_id, glen, "%.*s", n, (const char *)desc);
            return 1;
        }
        if (nh.n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
            nh.n_type == NOTE_GNU_BUILD_ID && gnu_id[0] == '\0') {
            for (size_t i = 0; i < nh.n_descsz && 2 * i + 2 < nlen; i++)
                snprintf(gnu_id + 2 * i, 3, "%02x", desc[i]);
        }
        off = next;
    }
    return 0;
}

static void read_build_id(const struct image *im, char *out, size_t outlen)
{
    char gnu[256] = "";
    out[0] = '\0';
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    while (im->shnum > 0 && (scn = elf_nextscn(im->elf, scn)) != NULL) {
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
            scan_notes(elf_getdata(scn, NULL), out, outlen, gnu, sizeof(gnu)))
            return;
    }
    size_t n = 0;
    if (im->shnum == 0 && elf_getphdrnum(im->elf, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
                continue;
            Elf_Data *d = elf_getdata_rawchunk(im->elf, (int64_t)ph.p_offset, ph.p_filesz,
                                               ELF_T_NHDR);
            if (scan_notes(d, out, outlen, gnu, sizeof(gnu)))
                return;
        }
    }
    snprintf(out, outlen, "%s", gnu);
}

/* ---- symbols ------------------------------------------------------------------------ */

static int load_symtab(struct go_binary *b, const struct image *im)
{
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    while (im->shnum > 0 && (scn = elf_nextscn(im->elf, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; data && i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
                continue;
            int type = GELF_ST_TYPE(sym.st_info);
            if (type != STT_FUNC && type != STT_OBJECT)
                continue;
            const char *name = elf_strptr(im->elf, sh.sh_link, sym.st_name);
            if (!name || !name[0])
                continue;
            int rc = go_symtab_add(&b->tab, name, strlen(name), sym.st_value, sym.st_size,
                                   type == STT_FUNC);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    return 0;
}

static int pclntab_cb(void *ctx, const char *name, uint64_t entry, uint64_t end)
{
    struct go_binary *b = ctx;
    return go_symtab_add(&b->tab, name, strlen(name), entry, end - entry, true);
}

/* The text base of the table at link-time address vaddr. Its textStart (third word) is
 * zero in a PIE's file, for ld.so to fill from a RELATIVE relocation whose addend is
 * runtime.text. Go 1.26+ writes 0 there for good and keeps the base only in
 * runtime.firstmoduledata. Last resort, .text's start: where Go's own linker puts
 * runtime.text (an external linker puts C start-up code first). */
static uint64_t pclntab_text_base(const struct image *im, const uint8_t *tab, size_t len,
                                  uint64_t vaddr, uint64_t text_start)
{
    uint64_t addend = 0, module_text = 0;
    if (len >= 8 && elf_reloc_relative_addend(im->elf, vaddr + 8 + 2 * (uint64_t)tab[7],
                                              &addend) == 0)
        return addend;
    if (len >= 40 && tab[7] == 8 && !(tab[24] | tab[25] | tab[26] | tab[27] | tab[28] |
                                     tab[29] | tab[30] | tab[31]) &&
        go_moduledata_text(im->elf, im->raw, im->size, vaddr, tab, len, &module_text) == 0)
        return module_text;
    return text_start;
}

static int pclntab_count_cb(void *ctx, const char *name, uint64_t entry, uint64_t end)
{
    (void)ctx, (void)name, (void)entry, (void)end;
    return 0;
}

/* .gopclntab (.data.rel.ro.gopclntab in a PIE); else a scan of the PT_LOAD segments:
 * a file without section headers, or an externally linked PIE, whose linker merged
 * the table into .data.rel.ro (a candidate counts when its whole function table
 * parses). Returns 0 with the table's bytes, link-time address and text base. */
static int find_pclntab(const struct image *im, const uint8_t **tab, size_t *len,
                        uint64_t *vaddr, uint64_t *text)
{
    GElf_Shdr sh, text_sh;
    uint64_t text_start = 0;
    size_t n = 0;
    *tab = NULL;
    if (find_section(im, ".text", &text_sh))
        text_start = text_sh.sh_addr;
    if (find_section(im, ".gopclntab", &sh) || find_section(im, ".data.rel.ro.gopclntab", &sh))
        *tab = section_bytes(im, &sh, len);
    if (*tab) {
        *vaddr = sh.sh_addr;
        *text = pclntab_text_base(im, *tab, *len, *vaddr, text_start);
        return 0;
    }
    if (elf_getphdrnum(im->elf, &n) < 0)
        return GO_PCLNTAB_ERR_MAGIC;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
            ph.p_offset > im->size || ph.p_filesz > im->size - ph.p_offset)
            continue;
        const uint8_t *seg = im->raw + ph.p_offset;
        for (uint64_t off = 0; off + 64 <= ph.p_filesz; off += 8) {
            if (seg[off] < 0xf0 || !go_pclntab_probe(seg + off, ph.p_filesz - off))
                continue;
            *tab = seg + off;
            *len = ph.p_filesz - off;
            *vaddr = ph.p_vaddr + off;
            *text = pclntab_text_base(im, *tab, *len, *vaddr, text_start);
            if (go_pclntab_parse(*tab, *len, *text, pclntab_count_cb, NULL, NULL) == 0)
                return 0;
        }
    }
    *tab = NULL;
    return GO_PCLNTAB_ERR_MAGIC;
}

/* Remember where the table is (every binary), and take the functions from it when
 * the file has no usable .symtab. */
static int locate_pclntab(struct go_binary *b, const struct image *im, bool load_funcs)
{
    const uint8_t *tab = NULL;
    size_t len = 0;
    uint64_t vaddr = 0, text = 0;
    int rc = find_pclntab(im, &tab, &len, &vaddr, &text);
    if (rc != 0)
        return rc;
    b->pcln_off = (uint64_t)(tab - im->raw);
    b->pcln_len = len;
    b->pcln_text = text;
    b->pcln_vaddr = vaddr;
    if (!load_funcs)
        return 0;
    go_symtab_free(&b->tab);
    rc = go_pclntab_parse(tab, len, text, pclntab_cb, b, NULL);
    if (rc != 0)
        go_symtab_free(&b->tab);
    return rc;
}

/* Rebuild a trimmed index from the same file (device and inode checked: a target that
 * exec'd another program, or exited, has none to give). Called with b->lock held. */
static int reload_index(struct go_binary *b)
{
    struct image im;
    struct stat st;
    char msg[256];
    if (image_open(&im, b->path, &st, msg, sizeof(msg)) != GO_BINARY_OK)
        return -ENOENT;
    int rc = -ESTALE;
    if (st.st_dev == b->dev && st.st_ino == b->ino) {
        rc = b->source == GO_SYMBOLS_SYMTAB ? load_symtab(b, &im)
                                            : locate_pclntab(b, &im, true);
        rc = rc == 0 ? go_symtab_index(&b->tab) : rc > 0 ? -EINVAL : rc;
    }
    image_close(&im);
    if (rc != 0)
        go_symtab_free(&b->tab);
    else
        b->trimmed = false;
    return rc;
}

/* ---- open / free ---------------------------------------------------------------------- */

/* The GOARCH that produced an ELF machine and class. */
static const char *arch_name(unsigned machine, int elfclass)
{
    switch (machine) {
    case EM_X86_64: return elfclass == ELFCLASS64 ? "amd64" : "amd64p32";
    case EM_386: return "386";
    case EM_AARCH64: return "arm64";
    case EM_ARM: return "arm";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390x";
    case EM_RISCV: return "riscv64";
    case EM_MIPS: return elfclass == ELFCLASS64 ? "mips64" : "mips";
    case EM_LOONGARCH: return "loong64";
    default: return "unknown";
    }
}

const char *go_binary_host_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#else
    return "unknown";
#endif
}

static void read_layout(struct go_binary *b, const struct image *im)
{
    GElf_Ehdr eh;
    GElf_Shdr sh;
    size_t n = 0;
    bool have = gelf_getehdr(im->elf, &eh) != NULL;
    b->pie = have && eh.e_type == ET_DYN;
    b->arch = !have ? "unknown" : arch_name(eh.e_machine, gelf_getclass(im->elf));
    b->dwarf = find_section(im, ".debug_info", &sh) || find_section(im, ".zdebug_info", &sh);
    b->min_vaddr = UINT64_MAX;
    if (elf_getphdrnum(im->elf, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(im->elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
                ph.p_vaddr < b->min_vaddr)
                b->min_vaddr = ph.p_vaddr;
        }
    }
    if (b->min_vaddr == UINT64_MAX)
        b->min_vaddr = 0;
}

static int load_symbols(struct go_binary *b, const struct image *im, char *msg,
                        size_t msglen)
{
    int rc = load_symtab(b, im);
    size_t nf = rc == 0 ? go_symtab_funcs_added(&b->tab) : 0;
    if (rc == 0 && nf > 0) {
        b->source = GO_SYMBOLS_SYMTAB;
    } else if (rc == 0) {
        /* No usable .symtab (-ldflags=-s): functions only, from the pcln table. */
        rc = locate_pclntab(b, im, true);
        if (rc > 0 || (rc < 0 && rc != -ENOMEM)) {
            set_msg(msg, msglen, "%s: no symbols: %s", b->path, go_pclntab_strerror(rc));
            return GO_BINARY_ERR_CORRUPT;
        }
        if (rc == 0)
            b->source = GO_SYMBOLS_PCLNTAB;
    }
    if (rc == 0 && b->source == GO_SYMBOLS_SYMTAB && locate_pclntab(b, im, false) != 0)
        b->pcln_len = 0;   /* symbols fine, no table: stacks cannot be read (said there) */
    if (rc == 0)
        rc = go_symtab_index(&b->tab);
    /* The base of the functions' funcdata (inline trees): the symbol go:func.* (Go
     * 1.20+; go.func.* before), present in unstripped binaries. */
    if (rc == 0 && go_symtab_lookup(&b->tab, "go:func.*", &b->gofunc, NULL) != 0 &&
        go_symtab_lookup(&b->tab, "go.func.*", &b->gofunc, NULL) != 0)
        b->gofunc = 0;
    /* Stripped: from runtime.firstmoduledata, found through the pcln table. */
    if (rc == 0 && b->gofunc == 0 && b->pcln_len &&
        go_moduledata_gofunc(im->elf, im->raw, im->size, b->pcln_vaddr, im->raw + b->pcln_off,
                             b->pcln_len, util_go_minor(b->version), &b->gofunc) != 0)
        b->gofunc = 0;
    if (rc < 0) {
        set_msg(msg, msglen, "%s: loading symbols: %s", b->path, strerror(-rc));
        return GO_BINARY_ERR_OPEN;
    }
    return GO_BINARY_OK;
}

int go_binary_open(const char *path, struct go_binary **out, char *msg, size_t msglen)
{
    struct image im;
    struct stat st;
    size_t blen = 0;
    *out = NULL;
    int rc = image_open(&im, path, &st, msg, msglen);
    if (rc != GO_BINARY_OK)
        return rc;
    struct go_binary *b = calloc(1, sizeof(*b));
    if (!b || !(b->path = strdup(path))) {
        set_msg(msg, msglen, "%s: calloc: %s", path, strerror(ENOMEM));
        free(b);
        image_close(&im);
        return GO_BINARY_ERR_OPEN;
    }
    b->dev = st.st_dev;
    b->ino = st.st_ino;
    pthread_mutex_init(&b->lock, NULL);
    b->used_ns = util_mono_ns();
    const uint8_t *bi = find_buildinfo(&im, &blen);
    if (!bi) {
        set_msg(msg, msglen, "%s: not a Go program (no .go.buildinfo section)", path);
        rc = GO_BINARY_ERR_NOT_GO;
    } else {
        rc = go_buildinfo_decode(bi, blen, image_reader, &im, b->version,
                                 sizeof(b->version), b->modpath, sizeof(b->modpath));
        if (rc != GO_BINARY_OK)
            set_msg(msg, msglen, "%s: %s", path,
                    rc == GO_BINARY_ERR_NOT_GO ? "not a Go program (bad .go.buildinfo magic)"
                                               : "corrupt .go.buildinfo");
    }
    if (rc == GO_BINARY_OK) {
        /* Optional: its absence (Go < 1.21) or a malformed one leaves it empty. */
        if (go_buildinfo_setting(bi, blen, image_reader, &im, "DefaultGODEBUG",
                                 b->default_godebug, sizeof(b->default_godebug)) < 0)
            b->default_godebug[0] = '\0';
        read_build_id(&im, b->build_id, sizeof(b->build_id));
        read_layout(b, &im);
        rc = load_symbols(b, &im, msg, msglen);
    }
    image_close(&im);
    if (rc != GO_BINARY_OK) {
        go_binary_free(b);
        return rc;
    }
    *out = b;
    return GO_BINARY_OK;
}

void go_binary_free(struct go_binary *b)
{
    if (!b)
        return;
    free(b->path);
    go_symtab_free(&b->tab);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

const char *go_binary_version(const struct go_binary *b) { return b->version; }
const char *go_binary_build_id(const struct go_binary *b) { return b->build_id; }
const char *go_binary_module_path(const struct go_binary *b) { return b->modpath; }
const char *go_binary_default_godebug(const struct go_binary *b) { return b->default_godebug; }
bool go_binary_is_pie(const struct go_binary *b) { return b->pie; }
bool go_binary_has_dwarf(const struct go_binary *b) { return b->dwarf; }
const char *go_binary_arch(const struct go_binary *b) { return b->arch ? b->arch : "unknown"; }

void go_binary_file(const struct go_binary *b, dev_t *dev, ino_t *ino, uint64_t *min_vaddr)
{
    *dev = b->dev;
    *ino = b->ino;
    *min_vaddr = b->min_vaddr;
}

enum go_symbol_source go_binary_symbol_source(const struct go_binary *b)
{
    return b->source;
}

/* ---- lookups ------------------------------------------------------------------------ */

/* The index, rebuilt if trimmed; b->lock held. The lookups take b as const: the index
 * is a cache of the file, not part of what the binary is. */
static bool index_ready(const struct go_binary *cb)
{
    struct go_binary *b = (struct go_binary *)cb;
    b->used_ns = util_mono_ns();
    return !b->trimmed || reload_index(b) == 0;
}

int go_binary_lookup(const struct go_binary *b, const char *name, uint64_t *addr,
                     uint64_t *size)
{
    if (!b || !name)
        return -ENOENT;
    pthread_mutex_t *lock = (pthread_mutex_t *)&b->lock;
    pthread_mutex_lock(lock);
    int rc = index_ready(b) ? go_symtab_lookup(&b->tab, name, addr, size) : -ENOENT;
    pthread_mutex_unlock(lock);
    return rc;
}

void go_binary_trim_symbols(struct go_binary *b, int64_t now_ns)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    if (!b->trimmed && b->tab.syms && now_ns - b->used_ns >= SYMBOLS_IDLE_NS) {
        go_symtab_free(&b->tab);
        b->trimmed = true;
    }
    pthread_mutex_unlock(&b->lock);
}

int go_binary_pcln(const struct go_binary *b, struct go_binary_pcln_loc *loc)
{
    if (!b || b->pcln_len == 0)
        return -ENOENT;
    loc->file_off = b->pcln_off;
    loc->len = b->pcln_len;
    loc->text_start = b->pcln_text;
    loc->gofunc = b->gofunc;
    return 0;
}

const char *go_binary_func_at(const struct go_binary *b, uint64_t addr)
{
    if (!b)
        return NULL;
    pthread_mutex_t *lock = (pthread_mutex_t *)&b->lock;
    pthread_mutex_lock(lock);
    const char *name = index_ready(b) ? go_symtab_func_at(&b->tab, addr) : NULL;
    pthread_mutex_unlock(lock);
    return name;
}

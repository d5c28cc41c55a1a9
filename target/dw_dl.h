/* dw_dl: elfutils libdw, loaded with dlopen only while a Go binary's DWARF is read.
 * Only unstripped binaries have DWARF, and gmptop reads it once at attach: linked, the
 * library and what it alone pulls in (libbz2) stayed in every gmptop's RSS, about
 * 250 KB, with the stripped programs most people run never using it. */
#ifndef GMPTOP_DW_DL_H
#define GMPTOP_DW_DL_H

#include <stddef.h>
#include <elfutils/libdw.h>

/* The libdw functions go_dwarf uses, as the library defines them. */
struct dw_api {
    void *lib;
    Dwarf *(*begin_elf)(Elf *, Dwarf_Cmd, Elf_Scn *);
    int (*end)(Dwarf *);
    const char *(*errmsg)(int);
    int (*get_units)(Dwarf *, Dwarf_CU *, Dwarf_CU **, Dwarf_Half *, uint8_t *, Dwarf_Die *,
                     Dwarf_Die *);
    int (*tag)(Dwarf_Die *);
    const char *(*diename)(Dwarf_Die *);
    int (*child)(Dwarf_Die *, Dwarf_Die *);
    int (*siblingof)(Dwarf_Die *, Dwarf_Die *);
    Dwarf_Attribute *(*attr)(Dwarf_Die *, unsigned int, Dwarf_Attribute *);
    Dwarf_Attribute *(*attr_integrate)(Dwarf_Die *, unsigned int, Dwarf_Attribute *);
    Dwarf_Die *(*formref_die)(Dwarf_Attribute *, Dwarf_Die *);
    int (*formudata)(Dwarf_Attribute *, Dwarf_Word *);
    int (*formblock)(Dwarf_Attribute *, Dwarf_Block *);
    int (*peel_type)(Dwarf_Die *, Dwarf_Die *);
    int (*aggregate_size)(Dwarf_Die *, Dwarf_Word *);
};

/* Load the library (0), or -1 with why ("libdw.so.1: cannot open shared object file
 * ..."). Each dw_open is paired with a dw_close; the library is unmapped when the
 * last user closes it. */
int dw_open(struct dw_api *api, char *why, size_t len);
void dw_close(struct dw_api *api);

#endif

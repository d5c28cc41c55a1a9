/* mhd_dl: libmicrohttpd, loaded when --listen is used rather than linked.
 *
 * libmicrohttpd pulls in GnuTLS, p11-kit, nettle, gcrypt and their friends: about 2 MB
 * of resident pages in every gmptop, though only --listen serves HTTP (htop loads
 * libsensors and libsystemd the same way). The header still describes the API; only
 * the eight entry points listen.c calls are looked up. */
#ifndef GMPTOP_MHD_DL_H
#define GMPTOP_MHD_DL_H

#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

struct mhd_api {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    void (*stop_daemon)(struct MHD_Daemon *d);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    struct MHD_Response *(*create_response_from_callback)(uint64_t size, size_t block_size,
                                                          MHD_ContentReaderCallback crc,
                                                          void *crc_cls,
                                                          MHD_ContentReaderFreeCallback crfc);
    enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
                                           const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status_code,
                                      struct MHD_Response *r);
    void (*destroy_response)(struct MHD_Response *r);
    const char *(*lookup_connection_value)(struct MHD_Connection *c,
                                           enum MHD_ValueKind kind, const char *key);
};

/* Load the library (once; later calls return the same): the API, or NULL with why
 * ("libmicrohttpd.so.12: cannot open shared object file ...; install libmicrohttpd12"). */
const struct mhd_api *mhd_load(char *why, size_t len);

#endif

/* test_listen: what --listen reads from its argument and from a scraper's request:
 * [ADDR:]PORT (loopback without an address) and Accept-Encoding's say on gzip. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "export/listen.h"

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_true(listen_accepts_gzip("gzip"));                       /* Prometheus */
    assert_true(listen_accepts_gzip("deflate, gzip, br, zstd"));    /* curl --compressed */
    assert_true(listen_accepts_gzip("GZip;q=0.5"));
    assert_true(listen_accepts_gzip("identity;q=1, x-gzip"));
    assert_true(listen_accepts_gzip("gzip;q=0.001"));
    assert_false(listen_accepts_gzip(NULL));
    assert_false(listen_accepts_gzip(""));
    assert_false(listen_accepts_gzip("identity"));
    assert_false(listen_accepts_gzip("gzipx, xgzip, deflate"));
    assert_false(listen_accepts_gzip("gzip;q=0"));
    assert_false(listen_accepts_gzip("gzip; q=0.000, br"));
}

static void test_parse(void **state)
{
    (void)state;
    struct sockaddr_storage sa;
    socklen_t len;
    char msg[200];
    assert_int_equal(listen_parse("9100", &sa, &len, msg, sizeof(msg)), 0);
    const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
    assert_int_equal(sa.ss_family, AF_INET);
    assert_int_equal(ntohs(in->sin_port), 9100);
    assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);  /* never the wildcard */
    assert_int_equal(listen_parse("0.0.0.0:0", &sa, &len, msg, sizeof(msg)), 0);
    assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_ANY));
    assert_int_equal(listen_parse("[::1]:9100", &sa, &len, msg, sizeof(msg)), 0);
    assert_int_equal(sa.ss_family, AF_INET6);
    assert_int_equal(listen_parse("::1:9100", &sa, &len, msg, sizeof(msg)), -EINVAL);
    assert_non_null(strstr(msg, "is not [ADDR:]PORT"));
    assert_int_equal(listen_parse("99999", &sa, &len, msg, sizeof(msg)), -EINVAL);
    assert_int_equal(listen_parse("127.0.0.1:", &sa, &len, msg, sizeof(msg)), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_gzip),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

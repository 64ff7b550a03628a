/*
 * test_proto_http.c - unit test of the HTTP/1.x transaction parser.
 *
 * The flows below are real exchanges captured with tcpdump on loopback:
 * curl 7.88 and a python3 socket client against python3's http.server
 * (a keep-alive subclass that also answers POST and sends a chunked body),
 * plain `python3 -m http.server` (HTTP/1.0) and a raw socket server whose
 * body ends at connection close. Payloads were taken per direction with
 * tshark (tcp.payload) in capture order. Each flow is fed as captured, one
 * byte at a time, with same-direction segments merged, and split at every
 * possible offset, and must give the same transactions every time. Hostile
 * inputs follow: absurd lengths, broken chunking, endless headers, binary
 * garbage, queue flooding, and random mutations of the real flows.
 *
 * Standalone: exits 0 on success, 1 with messages on stderr on failure.
 */
#include "proto_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

#include "banned.h"

struct seg {
	int dir;
	const char *data;
	size_t len;
};

/* stream 0: 127.0.0.1:44432 -> 127.0.0.1:8766 */
static const char s0_0[] = "GET /index.html HTTP/1.1\r\n"
	"Host: 127.0.0.1:8766\r\n"
	"User-Agent: haidang-test/1.0\r\n"
	"Accept: */*\r\n"
	"Referer: http://referrer.example/page\?q=1\r\n"
	"X-Forwarded-For: 10.1.2.3\r\n"
	"\r\n";
static const char s0_1[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:19 GMT\r\n"
	"Content-type: text/html\r\n"
	"Content-Length: 17\r\n"
	"Last-Modified: Fri, 27 Nov 2026 04:43:48 GMT\r\n"
	"\r\n";
static const char s0_2[] = "hello from index\n";
static const char s0_3[] = "GET /data.txt HTTP/1.1\r\n"
	"Host: 127.0.0.1:8766\r\n"
	"User-Agent: haidang-test/1.0\r\n"
	"Accept: */*\r\n"
	"Referer: http://referrer.example/page\?q=1\r\n"
	"X-Forwarded-For: 10.1.2.3\r\n"
	"\r\n";
static const char s0_4[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:19 GMT\r\n"
	"Content-type: text/plain\r\n"
	"Content-Length: 4053\r\n"
	"Last-Modified: Fri, 27 Nov 2026 04:43:48 GMT\r\n"
	"\r\n";
static const char s0_5[] = "W3dHI6zxGwSz55MPxYP/2MoubxknPn9WFOOmOWX0YqHfkKXmyYJF1zZ69m8ycO2LXPGSG01kotLR\n"
	"LO2buPCRSYDoTuUZ6R9kZY1HYOCLy6G2FD/KQILmpNFDMwPVomfvunQOvmQkQHZ9zx1qrXSfXF7N\n"
	"CxytEyP+pBI/nsRfUhFo8PaWEcjOR7KB3vlNPq4Mh4cg8bLIrjgbCuonBfahZw+RI0uoYmElwFvX\n"
	"PwKa1Tjwt8dH26NqNDaFg56pNOAZZcmwfMiqkie5rsXNSZ6h24j1iNbZ2B9JkCYoK7hZIkE7aZ81\n"
	"2QyM8L25lxa9xf/q0ohaNuyn1gvd7XwLF4LHX+ELsKeLHfQ97/xuKKQ+sEiI5Mvn4TGwdPrzqtNy\n"
	"9n7Nfv2hzVbTp1lRrW4Jv8p+SvCw8Cv5aq41/NDDkMgtR2hjKYDxmNtu/Hc4vgOzCOnoS08dRNaZ\n"
	"7czuhemF64FWUAynH4EdqNUDxvdoJr2vFODSf8Zc1mDd74bwyq0qp/dJj6kU82tenyNxaHItdBFF\n"
	"av+5gefvOqO3ntOzT8fX+fcofMcyCtjEncqVnaZDVAQHA2lABHaG2VGUdsmRZDOAKyC5BsHGM6i7\n"
	"+dj0jUvXnC4byGK1GuE9UOQpNY9trGBOwmwtHY4aNFZz1P5jIZlwMJGGkdEIvoJHeACokZRyY6u4\n"
	"ryN5Uum9dWv6SUHn+tlC8EVxhPPJqo5IVtGlbFetwNf9M4LJvPmSHPEIGj1F2/ubAAgc/46upL28\n"
	"HMhJO6Dk2Cp7rE4SOzGDr6aJJtK4a7ipfgqVlte+BJF7ulVlQ4+NUZ3hboRAH8qVIVdLVX/FRtlT\n"
	"O/tD+uj0FO9vS+XRf6LNGLGE1FlCOOifK1obVAl/j5NpZnvW6EHU8NJ2maFB5Bgk4S0yx/ln8/0o\n"
	"S0TNz01P5KA1kMAwX63UN0OVxU6JINZEYAUDQEEDfQngY0G/W7tBBhykksbFNeY8N7KycPwbAHyC\n"
	"U5+vnksB1bJPPdOSpXEgPFHkLJb2f7XW0cWRF1yQgWNeC1tjtAC0r6uWY8JcuW/Yn1qc9vLCzeP8\n"
	"ujmDJlyB8q31PLQaFjVf+itdzCCcxDyayXO2n3A365gsDix+ejCTP5aRTwa9HT3RbgfaMhVnT0X/\n"
	"iErTZx/0ZUOoAoIKKWum4twbk6NAxGfGQbw/6jICD9yqcgmkQPB1AhbenQ3l98BR5VL4tEuuyYP6\n"
	"qXPC3VCOd3QOMaXOL1SPpX9s2snnSh0hOkX4krax88RBb/+cjkKSC1X588guhA+ZNeEOnr8PrSM9\n"
	"Xd58QQTHeWhqtDZEvYcTeYHLVSFa5RezqmTomUBOmM1ES+r8ncFqmg6M/cRXA1f56IkVbH3s0/0L\n"
	"HqIfaXG66HTMEVmoZ369A6tiLsx9saVD87Ovs+4nWPsZVVnann4zBxb6wFTreKspCnd/Hfz6qt4c\n"
	"TZhgZIPBHVU7cbdsa+W2ebfyjNxW46XfFD9EUhxpG8QSNwoJUi+j0bw9xnhq3r23N599n4J44Aso\n"
	"2UP3C/vTsWhB3yOO7gzA3Yojgy975MjPURNeDXjPssHX3hgxMcXwxaf7mwBxQxQopmU76xz64Q/k\n"
	"GykiE0vrQWtpdqBFBdHMOjv+xcJe8l2lESN+rRNTPEs6oDlROvHdn64iBJyyeDFvyUoUzP8UGFk4\n"
	"HQNmIofPfoQiEPAFH7NvCvzTQnh5qyRKxpKBXYSaaghRRkvkCmlDy2w5uN6Mwv4HwPu6zVPNfLgw\n"
	"7fI4vxpzN/eItnh8FgEqAXUGsr5ubgYKiqBoYXpY3irEWs/S41+Flu3ekLmHefOQtoeVw4rHRc74\n"
	"lyaRM5hq8wTfYtZu/4N+w3GQvorOP2YZKkgeIg/Xf45KLHVmyAr20KLpBAMauXe9sEtSMZ9Wx0Zd\n"
	"gGVJFnnNddUB+FTaRgArBdynHYT4OVmJOIV+WJEtUyvoX36U5oKbl9aLSyh/68OPE3JEac7VWPCJ\n"
	"zoD79kesl/IEIV8qCOPYjjqWK8JMulWLpTL2iZpedpPZz2bcGDD/+4jUXzoDx2mVELWumarYpIjR\n"
	"YSVrWG72o8/b4l0H97CbgCPdbpnySTNLnK5/jfIWJI+CXsLFF1QmEscaZdXjqlu7Qui+P0y+iBZH\n"
	"0f6sutgam+tnNgYRJrYU8/6cRMVMQinnLgQn4H8HXhyt43bi8+RD32rDavsDU9tT+HNCfonunGKX\n"
	"KKj4Ccaqz0XiRhQnr3nOQKoDiyJKHmDc38PWJ9JOlc3U7LgSaLG2KF81vsUnz1a2SWPh81bRIwYy\n"
	"QiCQBMZ091LoDZMguS9Y0ZQYNSUUQNA5ePZPlbN98q5j+6LdGIfyuvdNO/wuXttI40FidMhwhCS+\n"
	"ouRMHdcpOEUKSqd0c0aItTN/JCNLzZCd40RlzJh84tk3roxY9rlsJ4uKoa++I4OtFnJ9e65AMTom\n"
	"hbRIntBH8rWmL4vNu3f/JmYGMKx6EGsdx92e2P5rvW5H/EACmD0Ua6AwUIXEwgeINAsUvrqe96hC\n"
	"JOo/+9wKZ/Spth7zXRl42HIWZYCpRz5djAbIbo+fMsVQpUI0zIC+AJW51gQeGnxeU65OQGfJSrez\n"
	"vQL2igWKmJV1Q31vkLYAEwl0Ml8AfnKWmEtS5ma8J6auYKreWUDVfafj6Pn3r3e8ECMXMTkoNcDb\n"
	"8jdSeersAVUCtQb37mfz1REPKww0AcgG1yRSVyFi3xrhaKNZ9W+6H8oqck5ZHnbAUDWgPN22nbXG\n"
	"BNLFOCjucVdaDRxU7UjlfMUnjqsZwmTaMJArJt+nwzOE/0DCPtikGq1h28i5Uwq0LGTF8Q0aHSnY\n"
	"mcAvLPCIsGabH2HT/zNnYiXkEAtwRc60Hyd5KvTASjFrOKoLdXKji21vqZmhNcO33oMiZMsMDc8A\n"
	"JjDJhpfTZZLBws6b5dHeZlQy3awtkh+I5b8sVHSMT9yhUSMK4FZv4iU1OBocadVdwFqFn6vj3EqD\n"
	"iEkwBtMsaeD2g9d/VCBb0c4C3Kep2IN42PPWU9g60VdOhr6x94qly5KnHqpJ7qPbj2PrQdH4qvU0\n"
	"mpiRA5NymAP2KPsxDWZVFbLsA1UVYI26P3SWwPlNkIBwqcssaZoBWZIQX64TYZYdGKLnDGrktTT6\n"
	"REDvH/xPO2P4Ywc1qsp5hTn2aj1V6E/jjadk4NBR7h2gIajIE8gMYA3uvvkCut3hjigpVOdBp7Wt\n"
	"FFfLNiguasg6JB3E1gBcc2Eq4IBIsp6NWfn4rW6kJptLCRdBF8AHRcyBB4I//QntuehstA1WH4Yc\n"
	"mApSaq+5C58FLL1c5MxtfdtucTAZPuTjR2lFB9Qb6qQEfYhu2dMqTOn044yVkg+gb0q/CXK0VzYS\n"
	"eVyeFbqi2UOxFL1l5GN/2J8KIkYkqta1L6QD5wo2MWqIDi2X8h9iU5oswRsjHQo9vA2uWghWVk1h\n"
	"Wc6Auhj6zFsgy6zKPrqTVzDMEHpOjEPKVU7jFM6Dp7PxAwf0TjPsLFITFD6mri3VtnuLwSGLIt4D\n"
	"u60ec/WgDdodNsvSKXWWJfNzStaCtV53XRKxYcEkBofQJGSeh71GNLfJItncOaIndwttmn4j39Yn\n"
	"dLm/2OYWznWZRKU/p773OGZ2RE1PaZtpmOdNtug4TO4vPMVEvXci1SjnvzZEPQv1GbWZa0IMTtkN\n"
	"CV7LgCEYx6UTjKrj861Blk3FBKVV4ri334WX6uSx/u6vdKTFCfhqM3WmkG/EIBMDSTrsIqJNQq5m\n"
	"IrsInxIbC4ju5LXT6U02t6ineR0z1Nio0S6kqvwlFYntDtI8Lf7SeaXgv3gMW/VKEM46tz/f08AF\n"
	"BaBfkyMc5fxRs3c7i4ACK5KJxysfFW8XQFn8/4IuwebyqlxIXJUMpB2+uMZcbkS3v3tNl8GCwRbw\n"
	"VLA2usSCXeap87mA19243IEBAOiXC8Mj/0+6AuG9ettaDXA6VTHnW7XNT/5Q1VX8mrJZUYYC515Y\n"
	"ph0RsNpcuDvsbWkxAUB7rh1lb5X8ydBI0pSRQR+q5C8ANofs\n";
static const struct seg flow0[] = {
	{ 0, s0_0, 163 },
	{ 1, s0_1, 185 },
	{ 1, s0_2, 17 },
	{ 0, s0_3, 161 },
	{ 1, s0_4, 188 },
	{ 1, s0_5, 4053 },
};
/* stream 1: 127.0.0.1:44436 -> 127.0.0.1:8766 */
static const char s1_0[] = "POST /upload HTTP/1.1\r\n"
	"Host: 127.0.0.1:8766\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"Expect: 100-continue\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 4053\r\n"
	"\r\n";
static const char s1_1[] = "HTTP/1.1 100 Continue\r\n"
	"\r\n";
static const char s1_2[] = "W3dHI6zxGwSz55MPxYP/2MoubxknPn9WFOOmOWX0YqHfkKXmyYJF1zZ69m8ycO2LXPGSG01kotLR\n"
	"LO2buPCRSYDoTuUZ6R9kZY1HYOCLy6G2FD/KQILmpNFDMwPVomfvunQOvmQkQHZ9zx1qrXSfXF7N\n"
	"CxytEyP+pBI/nsRfUhFo8PaWEcjOR7KB3vlNPq4Mh4cg8bLIrjgbCuonBfahZw+RI0uoYmElwFvX\n"
	"PwKa1Tjwt8dH26NqNDaFg56pNOAZZcmwfMiqkie5rsXNSZ6h24j1iNbZ2B9JkCYoK7hZIkE7aZ81\n"
	"2QyM8L25lxa9xf/q0ohaNuyn1gvd7XwLF4LHX+ELsKeLHfQ97/xuKKQ+sEiI5Mvn4TGwdPrzqtNy\n"
	"9n7Nfv2hzVbTp1lRrW4Jv8p+SvCw8Cv5aq41/NDDkMgtR2hjKYDxmNtu/Hc4vgOzCOnoS08dRNaZ\n"
	"7czuhemF64FWUAynH4EdqNUDxvdoJr2vFODSf8Zc1mDd74bwyq0qp/dJj6kU82tenyNxaHItdBFF\n"
	"av+5gefvOqO3ntOzT8fX+fcofMcyCtjEncqVnaZDVAQHA2lABHaG2VGUdsmRZDOAKyC5BsHGM6i7\n"
	"+dj0jUvXnC4byGK1GuE9UOQpNY9trGBOwmwtHY4aNFZz1P5jIZlwMJGGkdEIvoJHeACokZRyY6u4\n"
	"ryN5Uum9dWv6SUHn+tlC8EVxhPPJqo5IVtGlbFetwNf9M4LJvPmSHPEIGj1F2/ubAAgc/46upL28\n"
	"HMhJO6Dk2Cp7rE4SOzGDr6aJJtK4a7ipfgqVlte+BJF7ulVlQ4+NUZ3hboRAH8qVIVdLVX/FRtlT\n"
	"O/tD+uj0FO9vS+XRf6LNGLGE1FlCOOifK1obVAl/j5NpZnvW6EHU8NJ2maFB5Bgk4S0yx/ln8/0o\n"
	"S0TNz01P5KA1kMAwX63UN0OVxU6JINZEYAUDQEEDfQngY0G/W7tBBhykksbFNeY8N7KycPwbAHyC\n"
	"U5+vnksB1bJPPdOSpXEgPFHkLJb2f7XW0cWRF1yQgWNeC1tjtAC0r6uWY8JcuW/Yn1qc9vLCzeP8\n"
	"ujmDJlyB8q31PLQaFjVf+itdzCCcxDyayXO2n3A365gsDix+ejCTP5aRTwa9HT3RbgfaMhVnT0X/\n"
	"iErTZx/0ZUOoAoIKKWum4twbk6NAxGfGQbw/6jICD9yqcgmkQPB1AhbenQ3l98BR5VL4tEuuyYP6\n"
	"qXPC3VCOd3QOMaXOL1SPpX9s2snnSh0hOkX4krax88RBb/+cjkKSC1X588guhA+ZNeEOnr8PrSM9\n"
	"Xd58QQTHeWhqtDZEvYcTeYHLVSFa5RezqmTomUBOmM1ES+r8ncFqmg6M/cRXA1f56IkVbH3s0/0L\n"
	"HqIfaXG66HTMEVmoZ369A6tiLsx9saVD87Ovs+4nWPsZVVnann4zBxb6wFTreKspCnd/Hfz6qt4c\n"
	"TZhgZIPBHVU7cbdsa+W2ebfyjNxW46XfFD9EUhxpG8QSNwoJUi+j0bw9xnhq3r23N599n4J44Aso\n"
	"2UP3C/vTsWhB3yOO7gzA3Yojgy975MjPURNeDXjPssHX3hgxMcXwxaf7mwBxQxQopmU76xz64Q/k\n"
	"GykiE0vrQWtpdqBFBdHMOjv+xcJe8l2lESN+rRNTPEs6oDlROvHdn64iBJyyeDFvyUoUzP8UGFk4\n"
	"HQNmIofPfoQiEPAFH7NvCvzTQnh5qyRKxpKBXYSaaghRRkvkCmlDy2w5uN6Mwv4HwPu6zVPNfLgw\n"
	"7fI4vxpzN/eItnh8FgEqAXUGsr5ubgYKiqBoYXpY3irEWs/S41+Flu3ekLmHefOQtoeVw4rHRc74\n"
	"lyaRM5hq8wTfYtZu/4N+w3GQvorOP2YZKkgeIg/Xf45KLHVmyAr20KLpBAMauXe9sEtSMZ9Wx0Zd\n"
	"gGVJFnnNddUB+FTaRgArBdynHYT4OVmJOIV+WJEtUyvoX36U5oKbl9aLSyh/68OPE3JEac7VWPCJ\n"
	"zoD79kesl/IEIV8qCOPYjjqWK8JMulWLpTL2iZpedpPZz2bcGDD/+4jUXzoDx2mVELWumarYpIjR\n"
	"YSVrWG72o8/b4l0H97CbgCPdbpnySTNLnK5/jfIWJI+CXsLFF1QmEscaZdXjqlu7Qui+P0y+iBZH\n"
	"0f6sutgam+tnNgYRJrYU8/6cRMVMQinnLgQn4H8HXhyt43bi8+RD32rDavsDU9tT+HNCfonunGKX\n"
	"KKj4Ccaqz0XiRhQnr3nOQKoDiyJKHmDc38PWJ9JOlc3U7LgSaLG2KF81vsUnz1a2SWPh81bRIwYy\n"
	"QiCQBMZ091LoDZMguS9Y0ZQYNSUUQNA5ePZPlbN98q5j+6LdGIfyuvdNO/wuXttI40FidMhwhCS+\n"
	"ouRMHdcpOEUKSqd0c0aItTN/JCNLzZCd40RlzJh84tk3roxY9rlsJ4uKoa++I4OtFnJ9e65AMTom\n"
	"hbRIntBH8rWmL4vNu3f/JmYGMKx6EGsdx92e2P5rvW5H/EACmD0Ua6AwUIXEwgeINAsUvrqe96hC\n"
	"JOo/+9wKZ/Spth7zXRl42HIWZYCpRz5djAbIbo+fMsVQpUI0zIC+AJW51gQeGnxeU65OQGfJSrez\n"
	"vQL2igWKmJV1Q31vkLYAEwl0Ml8AfnKWmEtS5ma8J6auYKreWUDVfafj6Pn3r3e8ECMXMTkoNcDb\n"
	"8jdSeersAVUCtQb37mfz1REPKww0AcgG1yRSVyFi3xrhaKNZ9W+6H8oqck5ZHnbAUDWgPN22nbXG\n"
	"BNLFOCjucVdaDRxU7UjlfMUnjqsZwmTaMJArJt+nwzOE/0DCPtikGq1h28i5Uwq0LGTF8Q0aHSnY\n"
	"mcAvLPCIsGabH2HT/zNnYiXkEAtwRc60Hyd5KvTASjFrOKoLdXKji21vqZmhNcO33oMiZMsMDc8A\n"
	"JjDJhpfTZZLBws6b5dHeZlQy3awtkh+I5b8sVHSMT9yhUSMK4FZv4iU1OBocadVdwFqFn6vj3EqD\n"
	"iEkwBtMsaeD2g9d/VCBb0c4C3Kep2IN42PPWU9g60VdOhr6x94qly5KnHqpJ7qPbj2PrQdH4qvU0\n"
	"mpiRA5NymAP2KPsxDWZVFbLsA1UVYI26P3SWwPlNkIBwqcssaZoBWZIQX64TYZYdGKLnDGrktTT6\n"
	"REDvH/xPO2P4Ywc1qsp5hTn2aj1V6E/jjadk4NBR7h2gIajIE8gMYA3uvvkCut3hjigpVOdBp7Wt\n"
	"FFfLNiguasg6JB3E1gBcc2Eq4IBIsp6NWfn4rW6kJptLCRdBF8AHRcyBB4I//QntuehstA1WH4Yc\n"
	"mApSaq+5C58FLL1c5MxtfdtucTAZPuTjR2lFB9Qb6qQEfYhu2dMqTOn044yVkg+gb0q/CXK0VzYS\n"
	"eVyeFbqi2UOxFL1l5GN/2J8KIkYkqta1L6QD5wo2MWqIDi2X8h9iU5oswRsjHQo9vA2uWghWVk1h\n"
	"Wc6Auhj6zFsgy6zKPrqTVzDMEHpOjEPKVU7jFM6Dp7PxAwf0TjPsLFITFD6mri3VtnuLwSGLIt4D\n"
	"u60ec/WgDdodNsvSKXWWJfNzStaCtV53XRKxYcEkBofQJGSeh71GNLfJItncOaIndwttmn4j39Yn\n"
	"dLm/2OYWznWZRKU/p773OGZ2RE1PaZtpmOdNtug4TO4vPMVEvXci1SjnvzZEPQv1GbWZa0IMTtkN\n"
	"CV7LgCEYx6UTjKrj861Blk3FBKVV4ri334WX6uSx/u6vdKTFCfhqM3WmkG/EIBMDSTrsIqJNQq5m\n"
	"IrsInxIbC4ju5LXT6U02t6ineR0z1Nio0S6kqvwlFYntDtI8Lf7SeaXgv3gMW/VKEM46tz/f08AF\n"
	"BaBfkyMc5fxRs3c7i4ACK5KJxysfFW8XQFn8/4IuwebyqlxIXJUMpB2+uMZcbkS3v3tNl8GCwRbw\n"
	"VLA2usSCXeap87mA19243IEBAOiXC8Mj/0+6AuG9ettaDXA6VTHnW7XNT/5Q1VX8mrJZUYYC515Y\n"
	"ph0RsNpcuDvsbWkxAUB7rh1lb5X8ydBI0pSRQR+q5C8ANofs\n";
static const char s1_3[] = "HTTP/1.1 201 Created\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:19 GMT\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"Content-Length: 15\r\n"
	"Location: /uploaded/1\r\n"
	"\r\n";
static const char s1_4[] = "got 4053 bytes\n";
static const struct seg flow1[] = {
	{ 0, s1_0, 155 },
	{ 1, s1_1, 25 },
	{ 0, s1_2, 4053 },
	{ 1, s1_3, 183 },
	{ 1, s1_4, 15 },
};
/* stream 2: 127.0.0.1:44450 -> 127.0.0.1:8766 */
static const char s2_0[] = "GET /chunked HTTP/1.1\r\n"
	"Host: 127.0.0.1:8766\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char s2_1[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Content-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n";
static const char s2_2[] = "5\r\n"
	"{\"a\":\r\n";
static const char s2_3[] = "e\r\n"
	"\"hello world\",\r\n";
static const char s2_4[] = "c\r\n"
	"\"b\":[1,2,3]}\r\n";
static const char s2_5[] = "1\r\n"
	"\n"
	"\r\n";
static const char s2_6[] = "0\r\n"
	"\r\n";
static const struct seg flow2[] = {
	{ 0, s2_0, 85 },
	{ 1, s2_1, 154 },
	{ 1, s2_2, 10 },
	{ 1, s2_3, 19 },
	{ 1, s2_4, 17 },
	{ 1, s2_5, 6 },
	{ 1, s2_6, 5 },
};
/* stream 3: 127.0.0.1:44460 -> 127.0.0.1:8766 */
static const char s3_0[] = "GET /index.html HTTP/1.1\r\n"
	"Host: localhost:8766\r\n"
	"User-Agent: pipeline/1.0\r\n"
	"\r\n"
	"HEAD /data.txt HTTP/1.1\r\n"
	"Host: Localhost\r\n"
	"\r\n"
	"GET /redirect HTTP/1.1\r\n"
	"Host: localhost\r\n"
	"\r\n"
	"GET /chunked\?x=1 HTTP/1.1\r\n"
	"Host: localhost\r\n"
	"Connection: close\r\n"
	"\r\n";
static const char s3_1[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Content-type: text/html\r\n"
	"Content-Length: 17\r\n"
	"Last-Modified: Fri, 27 Nov 2026 04:43:48 GMT\r\n"
	"\r\n";
static const char s3_2[] = "hello from index\n";
static const char s3_3[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Content-type: text/plain\r\n"
	"Content-Length: 4053\r\n"
	"Last-Modified: Fri, 27 Nov 2026 04:43:48 GMT\r\n"
	"\r\n";
static const char s3_4[] = "HTTP/1.1 302 Found\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Location: http://example.com/elsewhere\r\n"
	"Content-Length: 0\r\n"
	"\r\n";
static const char s3_5[] = "HTTP/1.1 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Content-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n";
static const char s3_6[] = "5\r\n"
	"{\"a\":\r\n";
static const char s3_7[] = "e\r\n"
	"\"hello world\",\r\n";
static const char s3_8[] = "c\r\n"
	"\"b\":[1,2,3]}\r\n";
static const char s3_9[] = "1\r\n"
	"\n"
	"\r\n";
static const char s3_10[] = "0\r\n"
	"\r\n";
static const struct seg flow3[] = {
	{ 0, s3_0, 228 },
	{ 1, s3_1, 185 },
	{ 1, s3_2, 17 },
	{ 1, s3_3, 188 },
	{ 1, s3_4, 156 },
	{ 1, s3_5, 154 },
	{ 1, s3_6, 10 },
	{ 1, s3_7, 19 },
	{ 1, s3_8, 17 },
	{ 1, s3_9, 6 },
	{ 1, s3_10, 5 },
};
/* stream 4: 127.0.0.1:34150 -> 127.0.0.1:8768 */
static const char s4_0[] = "GET /close HTTP/1.1\r\n"
	"Host: 127.0.0.1:8768\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char s4_1[] = "HTTP/1.0 200 OK\r\n"
	"Server: raw\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n";
static const char s4_2[] = "line one of a body that ends when the connection closes\n";
static const char s4_3[] = "line two\n";
static const struct seg flow4[] = {
	{ 0, s4_0, 83 },
	{ 1, s4_1, 58 },
	{ 1, s4_2, 56 },
	{ 1, s4_3, 9 },
};
/* stream 5: 127.0.0.1:55364 -> 127.0.0.1:8767 */
static const char s5_0[] = "HEAD /index.html HTTP/1.1\r\n"
	"Host: 127.0.0.1:8767\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char s5_1[] = "HTTP/1.0 200 OK\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Content-type: text/html\r\n"
	"Content-Length: 17\r\n"
	"Last-Modified: Fri, 27 Nov 2026 04:43:48 GMT\r\n"
	"\r\n";
static const struct seg flow5[] = {
	{ 0, s5_0, 89 },
	{ 1, s5_1, 185 },
};
/* stream 6: 127.0.0.1:55374 -> 127.0.0.1:8767 */
static const char s6_0[] = "GET /nothere HTTP/1.1\r\n"
	"Host: 127.0.0.1:8767\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char s6_1[] = "HTTP/1.0 404 File not found\r\n"
	"Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
	"Date: Fri, 27 Nov 2026 04:44:20 GMT\r\n"
	"Connection: close\r\n"
	"Content-Type: text/html;charset=utf-8\r\n"
	"Content-Length: 335\r\n"
	"\r\n";
static const char s6_2[] = "<!DOCTYPE HTML>\n"
	"<html lang=\"en\">\n"
	"    <head>\n"
	"        <meta charset=\"utf-8\">\n"
	"        <title>Error response</title>\n"
	"    </head>\n"
	"    <body>\n"
	"        <h1>Error response</h1>\n"
	"        <p>Error code: 404</p>\n"
	"        <p>Message: File not found.</p>\n"
	"        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n"
	"    </body>\n"
	"</html>\n";
static const struct seg flow6[] = {
	{ 0, s6_0, 85 },
	{ 1, s6_1, 185 },
	{ 1, s6_2, 335 },
};

/* ---- harness ---- */

static int failures;

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                              \
			fputc('\n', stderr);                                       \
			failures++;                                                \
		}                                                                 \
	} while (0)

#define MAX_TX 64

struct run {
	struct http_tx tx[MAX_TX];
	size_t ntx;
	uint8_t body[2][8192]; /* bytes given to the body callback */
	size_t body_len[2];
	unsigned body_ends[2];
	bool body_overflow;
};

static void on_body(void *user, const struct http_tx *tx, int dir, const uint8_t *data,
		    size_t len, bool end)
{
	struct run *r = user;

	(void)tx;
	if (end) {
		r->body_ends[dir]++;
		return;
	}
	if (len > sizeof(r->body[dir]) - r->body_len[dir]) {
		r->body_overflow = true;
		return;
	}
	memcpy(r->body[dir] + r->body_len[dir], data, len);
	r->body_len[dir] += len;
}

static void drain(struct http_state *st, struct run *r)
{
	struct http_tx tx;

	while (http_next_tx(st, &tx)) {
		if (r->ntx < MAX_TX)
			r->tx[r->ntx] = tx;
		r->ntx++;
	}
}

static void feed(struct http_state *st, struct run *r, int dir, const void *p, size_t n)
{
	static const struct timeval ts = { 1700000000, 0 };

	http_feed(st, dir, p, n, &ts);
	drain(st, r);
}

#define FEED_LIT(st, r, dir, lit) feed(st, r, dir, lit, sizeof(lit) - 1)

enum mode { AS_CAPTURED, BYTEWISE, MERGED, SPLIT_AT };

/* Feeds a flow; with SPLIT_AT, the segment holding flow offset `at` is cut
 * in two there. Flushes at the end. */
static void run_flow(struct run *r, const struct seg *s, size_t n, enum mode mode, size_t at)
{
	struct http_state *st = http_state_create();
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (!st) {
		CHECK(st != NULL, "out of memory");
		return;
	}
	http_state_set_body_cb(st, on_body, r);
	for (size_t i = 0; i < n; i++) {
		const char *p = s[i].data;
		size_t len = s[i].len;

		switch (mode) {
		case AS_CAPTURED:
			feed(st, r, s[i].dir, p, len);
			break;
		case BYTEWISE:
			for (size_t k = 0; k < len; k++)
				feed(st, r, s[i].dir, p + k, 1);
			break;
		case MERGED: {
			/* this segment and the following ones of the same direction */
			static char big[65536];
			size_t m = 0, j = i;

			for (; j < n && s[j].dir == s[i].dir && m + s[j].len <= sizeof(big); j++) {
				memcpy(big + m, s[j].data, s[j].len);
				m += s[j].len;
			}
			feed(st, r, s[i].dir, big, m);
			i = j - 1;
			break;
		}
		case SPLIT_AT:
			if (at > off && at < off + len) {
				feed(st, r, s[i].dir, p, at - off);
				feed(st, r, s[i].dir, p + (at - off), len - (at - off));
			} else {
				feed(st, r, s[i].dir, p, len);
			}
			break;
		}
		off += len;
	}
	http_flush(st);
	drain(st, r);
	http_state_destroy(st);
}

static size_t flow_bytes(const struct seg *s, size_t n)
{
	size_t t = 0;

	for (size_t i = 0; i < n; i++)
		t += s[i].len;
	return t;
}

/* What a test expects of one transaction; NULL strings and -2 numbers are
 * not checked. */
struct want {
	const char *method, *uri, *protocol, *host;
	int port;
	const char *ua, *referer, *xff;
	int status;
	const char *ctype, *location;
	int64_t length, req_body, res_body;
	uint32_t flags; /* HTTP_TXF_*, exactly */
};

#define ANY -2

static void check_str(const char *ctx, size_t i, const char *what, const char *got,
		      const char *want)
{
	if (want)
		CHECK(strcmp(got, want) == 0, "%s tx %zu %s: got \"%s\", want \"%s\"", ctx, i,
		      what, got, want);
}

static void check_num(const char *ctx, size_t i, const char *what, int64_t got, int64_t want)
{
	if (want != ANY)
		CHECK(got == want, "%s tx %zu %s: got %lld, want %lld", ctx, i, what,
		      (long long)got, (long long)want);
}

static void check_run(const char *ctx, const struct run *r, const struct want *w, size_t n)
{
	CHECK(r->ntx == n, "%s: %zu transactions, want %zu", ctx, r->ntx, n);
	for (size_t i = 0; i < n && i < r->ntx; i++) {
		const struct http_tx *t = &r->tx[i];

		check_num(ctx, i, "tx_id", (int64_t)t->tx_id, (int64_t)i);
		check_str(ctx, i, "method", t->method, w[i].method);
		check_str(ctx, i, "uri", t->uri, w[i].uri);
		check_str(ctx, i, "protocol", t->protocol, w[i].protocol);
		check_str(ctx, i, "host", t->host, w[i].host);
		check_num(ctx, i, "port", t->port, w[i].port);
		check_str(ctx, i, "user_agent", t->user_agent, w[i].ua);
		check_str(ctx, i, "referer", t->referer, w[i].referer);
		check_str(ctx, i, "xff", t->xff, w[i].xff);
		check_num(ctx, i, "status", t->status, w[i].status);
		check_str(ctx, i, "content_type", t->content_type, w[i].ctype);
		check_str(ctx, i, "location", t->location, w[i].location);
		check_num(ctx, i, "length", (int64_t)t->response_message_len, w[i].length);
		check_num(ctx, i, "request_body_len", (int64_t)t->request_body_len, w[i].req_body);
		check_num(ctx, i, "response_body_len", (int64_t)t->response_body_len,
			  w[i].res_body);
		CHECK(t->flags == w[i].flags, "%s tx %zu flags 0x%x, want 0x%x", ctx, i, t->flags,
		      w[i].flags);
	}
}

static bool same_txs(const struct run *a, const struct run *b)
{
	if (a->ntx != b->ntx)
		return false;
	for (size_t i = 0; i < a->ntx && i < MAX_TX; i++) {
		struct http_tx x = a->tx[i], y = b->tx[i];

		/* timestamps depend on how the bytes were cut */
		memset(&x.ts, 0, sizeof(x.ts));
		memset(&x.ts_end, 0, sizeof(x.ts_end));
		memset(&y.ts, 0, sizeof(y.ts));
		memset(&y.ts_end, 0, sizeof(y.ts_end));
		if (memcmp(&x, &y, sizeof(x)) != 0)
			return false;
	}
	return a->body_len[0] == b->body_len[0] && a->body_len[1] == b->body_len[1] &&
	       memcmp(a->body[0], b->body[0], a->body_len[0]) == 0 &&
	       memcmp(a->body[1], b->body[1], a->body_len[1]) == 0 &&
	       a->body_ends[0] == b->body_ends[0] && a->body_ends[1] == b->body_ends[1];
}

/* Every way of cutting the flow must give what feeding it as captured gives,
 * and that must be what the test wants. */
static void check_flow(const char *name, const struct seg *s, size_t n, const struct want *w,
		       size_t nw)
{
	static struct run base, other;
	size_t total = flow_bytes(s, n);
	char ctx[128];

	run_flow(&base, s, n, AS_CAPTURED, 0);
	snprintf(ctx, sizeof(ctx), "%s (as captured)", name);
	check_run(ctx, &base, w, nw);

	run_flow(&other, s, n, BYTEWISE, 0);
	CHECK(same_txs(&base, &other), "%s: byte-at-a-time feed differs", name);
	run_flow(&other, s, n, MERGED, 0);
	CHECK(same_txs(&base, &other), "%s: merged feed differs", name);
	for (size_t at = 1; at < total; at++) {
		run_flow(&other, s, n, SPLIT_AT, at);
		if (!same_txs(&base, &other)) {
			CHECK(false, "%s: split at offset %zu differs", name, at);
			break;
		}
	}
}

/* ---- the captured flows ---- */

static void test_keepalive(void)
{
	static const struct want w[] = {
		{ "GET", "/index.html", "HTTP/1.1", "127.0.0.1", 8766, "haidang-test/1.0",
		  "http://referrer.example/page?q=1", "10.1.2.3", 200, "text/html", "", 17, 0,
		  17, 0 },
		{ "GET", "/data.txt", "HTTP/1.1", "127.0.0.1", 8766, "haidang-test/1.0", NULL,
		  "10.1.2.3", 200, "text/plain", "", 4053, 0, 4053, 0 },
	};

	check_flow("keep-alive", flow0, ARRAY_SIZE(flow0), w, ARRAY_SIZE(w));
}

static void test_post_expect_100(void)
{
	static const struct want w[] = {
		{ "POST", "/upload", "HTTP/1.1", "127.0.0.1", 8766, "curl/7.88.1", "", "", 201,
		  "text/plain; charset=utf-8", "/uploaded/1", 15, 4053, 15, HTTP_TXF_SEEN_100 },
	};
	struct run r;

	check_flow("post", flow1, ARRAY_SIZE(flow1), w, ARRAY_SIZE(w));
	run_flow(&r, flow1, ARRAY_SIZE(flow1), AS_CAPTURED, 0);
	CHECK(r.body_len[0] == 4053 && memcmp(r.body[0], s1_2, 4053) == 0,
	      "request body not passed to the callback intact (%zu bytes)", r.body_len[0]);
	CHECK(r.body_ends[0] == 1 && r.body_ends[1] == 1, "body end calls %u %u", r.body_ends[0],
	      r.body_ends[1]);
	CHECK(r.ntx == 1 && r.tx[0].request_content_length == 4053, "request C-L");
}

static void test_chunked(void)
{
	static const char json[] = "{\"a\":\"hello world\",\"b\":[1,2,3]}\n";
	/* 5, e, c and 1-byte chunks: size lines and CRLFs count, the final
	 * "0\r\n" too, the empty trailer does not */
	static const struct want w[] = {
		{ "GET", "/chunked", "HTTP/1.1", "127.0.0.1", 8766, "curl/7.88.1", "", "", 200,
		  "application/json", "", 55, 0, 32, 0 },
	};
	struct run r;

	check_flow("chunked", flow2, ARRAY_SIZE(flow2), w, ARRAY_SIZE(w));
	run_flow(&r, flow2, ARRAY_SIZE(flow2), AS_CAPTURED, 0);
	CHECK(r.body_len[1] == strlen(json) && memcmp(r.body[1], json, strlen(json)) == 0,
	      "de-chunked body wrong: %.*s", (int)r.body_len[1], (const char *)r.body[1]);
	CHECK(r.ntx == 1 && r.tx[0].response_chunked && r.tx[0].response_content_length == -1,
	      "chunked flags");
}

static void test_pipelined(void)
{
	static const struct want w[] = {
		{ "GET", "/index.html", "HTTP/1.1", "localhost", 8766, "pipeline/1.0", "", "", 200,
		  "text/html", "", 17, 0, 17, 0 },
		/* HEAD: Content-Length 4053 but no body */
		{ "HEAD", "/data.txt", "HTTP/1.1", "localhost", -1, "", "", "", 200, "text/plain",
		  "", 0, 0, 0, 0 },
		{ "GET", "/redirect", "HTTP/1.1", "localhost", -1, "", "", "", 302, "",
		  "http://example.com/elsewhere", 0, 0, 0, 0 },
		{ "GET", "/chunked?x=1", "HTTP/1.1", "localhost", -1, "", "", "", 200,
		  "application/json", "", 55, 0, 32, 0 },
	};

	check_flow("pipelined", flow3, ARRAY_SIZE(flow3), w, ARRAY_SIZE(w));
}

static void test_close_delimited(void)
{
	static const struct want w[] = {
		{ "GET", "/close", "HTTP/1.1", "127.0.0.1", 8768, "curl/7.88.1", "", "", 200,
		  "text/plain", "", 65, 0, 65, 0 },
	};
	struct http_state *st = http_state_create();
	struct http_tx tx;

	check_flow("close-delimited", flow4, ARRAY_SIZE(flow4), w, ARRAY_SIZE(w));
	/* the body runs to the end of the flow: nothing is finished before */
	for (size_t i = 0; i < (size_t)ARRAY_SIZE(flow4); i++)
		http_feed(st, flow4[i].dir, (const uint8_t *)flow4[i].data, flow4[i].len,
			  &(struct timeval){ 1, 0 });
	CHECK(!http_next_tx(st, &tx), "close-delimited response finished before the close");
	http_flush(st);
	CHECK(http_next_tx(st, &tx) && !(tx.flags & HTTP_TXF_RES_INCOMPLETE),
	      "close-delimited response not complete after flush");
	http_state_destroy(st);
}

static void test_http10_server(void)
{
	static const struct want head[] = {
		{ "HEAD", "/index.html", "HTTP/1.1", "127.0.0.1", 8767, "curl/7.88.1", "", "", 200,
		  "text/html", "", 0, 0, 0, 0 },
	};
	static const struct want notfound[] = {
		{ "GET", "/nothere", "HTTP/1.1", "127.0.0.1", 8767, "curl/7.88.1", "", "", 404,
		  "text/html;charset=utf-8", "", 335, 0, 335, 0 },
	};

	check_flow("head", flow5, ARRAY_SIZE(flow5), head, ARRAY_SIZE(head));
	check_flow("404", flow6, ARRAY_SIZE(flow6), notfound, ARRAY_SIZE(notfound));
}

/* ---- EVE ---- */

static bool contains(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	for (size_t i = 0; l <= n && i <= n - l; i++)
		if (memcmp(s + i, lit, l) == 0)
			return true;
	return false;
}

static void test_eve(void)
{
	static const char want_post[] =
		"{\"http\":{\"hostname\":\"127.0.0.1\",\"http_port\":8766,\"url\":\"/upload\","
		"\"http_user_agent\":\"curl/7.88.1\",\"http_content_type\":\"text/plain\","
		"\"http_method\":\"POST\",\"protocol\":\"HTTP/1.1\",\"status\":201,"
		"\"redirect\":\"/uploaded/1\",\"length\":15}}";
	static const char want_first[] =
		"{\"http\":{\"hostname\":\"127.0.0.1\",\"http_port\":8766,\"url\":\"/index.html\","
		"\"http_user_agent\":\"haidang-test/1.0\",\"xff\":\"10.1.2.3\","
		"\"http_content_type\":\"text/html\","
		"\"http_refer\":\"http://referrer.example/page?q=1\",\"http_method\":\"GET\","
		"\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":17}}";
	static const char want_404[] = "\"http_content_type\":\"text/html\"";
	static struct run r;
	struct jw w;

	jw_init(&w, 1 << 16);
	run_flow(&r, flow1, ARRAY_SIZE(flow1), AS_CAPTURED, 0);
	jw_obj_open(&w, NULL);
	if (r.ntx)
		http_tx_write_eve(&w, &r.tx[0]);
	jw_obj_close(&w);
	CHECK(w.len == strlen(want_post) && memcmp(w.buf, want_post, w.len) == 0,
	      "EVE for the POST:\n got %.*s\nwant %s", (int)w.len, w.buf, want_post);

	jw_reset(&w);
	run_flow(&r, flow0, ARRAY_SIZE(flow0), AS_CAPTURED, 0);
	jw_obj_open(&w, NULL);
	if (r.ntx)
		http_tx_write_eve(&w, &r.tx[0]);
	jw_obj_close(&w);
	CHECK(w.len == strlen(want_first) && memcmp(w.buf, want_first, w.len) == 0,
	      "EVE for the first GET:\n got %.*s\nwant %s", (int)w.len, w.buf, want_first);

	jw_reset(&w);
	run_flow(&r, flow6, ARRAY_SIZE(flow6), AS_CAPTURED, 0);
	jw_obj_open(&w, NULL);
	if (r.ntx)
		http_tx_write_eve(&w, &r.tx[0]);
	jw_obj_close(&w);
	CHECK(contains(w.buf, w.len, want_404), 
	      "content type parameters not cut: %.*s", (int)w.len, w.buf);
	jw_finish(&w);
}

/* ---- hand-made exchanges ---- */

#define SEG0(s) { 0, s, sizeof(s) - 1 }
#define SEG1(s) { 1, s, sizeof(s) - 1 }

static void test_absolute_uri_and_connect(void)
{
	static const struct seg proxy[] = {
		SEG0("GET http://User@WWW.Example.COM.:8080/a?b HTTP/1.1\r\nHost: other.example\r\n"
		     "\r\n"),
		SEG1("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	};
	static const struct want wp[] = {
		{ "GET", "http://User@WWW.Example.COM.:8080/a?b", "HTTP/1.1", "www.example.com",
		  8080, NULL, NULL, NULL, 200, NULL, NULL, 2, 0, 2, HTTP_TXF_HOST_AMBIGUOUS },
	};
	/* CONNECT: the TLS that follows the 200 is not parsed */
	static const struct seg connect[] = {
		SEG0("CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n"),
		SEG1("HTTP/1.1 200 Connection established\r\n\r\n"),
		SEG0("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary client hello"),
		SEG1("\x16\x03\x03\x00\x5d\x02\x00\x00\x59 binary server hello"),
	};
	static const struct want wc[] = {
		{ "CONNECT", "secure.example:443", "HTTP/1.1", "secure.example", 443, NULL, NULL,
		  NULL, 200, NULL, NULL, 0, 0, 0, HTTP_TXF_TUNNEL },
	};
	/* CONNECT refused: requests carry on, including one sent early */
	static const struct seg refused[] = {
		SEG0("CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example\r\n\r\n"
		     "GET /after HTTP/1.1\r\nHost: h\r\n\r\n"),
		SEG1("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nauth"),
		SEG1("HTTP/1.1 204 No Content\r\n\r\n"),
	};
	static const struct want wr[] = {
		{ "CONNECT", "secure.example:443", NULL, "secure.example", 443, NULL, NULL, NULL,
		  407, NULL, NULL, 4, 0, 4, 0 },
		{ "GET", "/after", NULL, "h", -1, NULL, NULL, NULL, 204, NULL, NULL, 0, 0, 0, 0 },
	};
	/* websocket upgrade: the frames after 101 are not parsed */
	static const struct seg upgrade[] = {
		SEG0("GET /ws HTTP/1.1\r\nHost: [::1]:9000\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\n\r\n"),
		SEG1("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"),
		SEG0("\x81\x85\x01\x02\x03\x04GET / HTTP/1.1\r\n\r\n"),
	};
	static const struct want wu[] = {
		{ "GET", "/ws", NULL, "[::1]", 9000, NULL, NULL, NULL, 101, NULL, NULL, 0, 0, 0,
		  HTTP_TXF_TUNNEL },
	};
	struct run r;

	check_flow("proxy", proxy, ARRAY_SIZE(proxy), wp, ARRAY_SIZE(wp));
	check_flow("connect", connect, ARRAY_SIZE(connect), wc, ARRAY_SIZE(wc));
	check_flow("connect-refused", refused, ARRAY_SIZE(refused), wr, ARRAY_SIZE(wr));
	check_flow("upgrade", upgrade, ARRAY_SIZE(upgrade), wu, ARRAY_SIZE(wu));
	run_flow(&r, connect, ARRAY_SIZE(connect), AS_CAPTURED, 0);
	CHECK(r.ntx == 1, "tunnel data made transactions");
}

static void test_odd_but_valid(void)
{
	/* folding, repeated headers, blank lines between requests, HTTP/0.9,
	 * 103 Early Hints, and a request answered before it ended */
	static const struct seg odd[] = {
		SEG0("\r\n\r\nGET /fold HTTP/1.1\r\nHost: a.example\r\nUser-Agent: one\r\n"
		     "  two\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\n\r\n"),
		SEG1("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
		SEG0("GET /old\r\n"),
		SEG1("<html>0.9 has no status line</html>"),
	};
	static const struct want wo[] = {
		{ "GET", "/fold", "HTTP/1.1", "a.example", -1, "one two", NULL,
		  "1.1.1.1, 2.2.2.2", 200, NULL, NULL, 0, 0, 0,
		  HTTP_TXF_FOLDED | HTTP_TXF_SEEN_100 },
		{ "GET", "/old", "", "", -1, NULL, NULL, NULL, 0, NULL, NULL, 0, 0, 0, 0 },
	};
	/* 304 and 204 with a length have no body: the next answer parses */
	static const struct seg nobody[] = {
		SEG0("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n"),
		SEG1("HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n"
		     "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
	};
	static const struct want wn[] = {
		{ "GET", "/a", NULL, "", -1, NULL, NULL, NULL, 304, NULL, NULL, 0, 0, 0, 0 },
		{ "GET", "/b", NULL, "", -1, NULL, NULL, NULL, 204, NULL, NULL, 0, 0, 0, 0 },
		{ "GET", "/c", NULL, "", -1, NULL, NULL, NULL, 200, NULL, NULL, 1, 0, 1, 0 },
	};
	/* chunked request with extensions and a trailer; a response with
	 * Content-Range */
	static const struct seg upload[] = {
		SEG0("PUT /f HTTP/1.1\r\nHost: up\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "4;name=x\r\nabcd\r\n"
		     "0\r\nX-Sum: 1\r\n\r\n"),
		SEG1("HTTP/1.1 206 Partial\r\nContent-Range: bytes 500-1000/146515\r\n"
		     "Content-Length: 3\r\n\r\nabc"),
	};
	static const struct want wu[] = {
		{ "PUT", "/f", "HTTP/1.1", "up", -1, NULL, NULL, NULL, 206, NULL, NULL, 3, 4, 3, 0 },
	};
	struct run r;

	check_flow("odd", odd, ARRAY_SIZE(odd), wo, ARRAY_SIZE(wo));
	check_flow("chunked-upload", upload, ARRAY_SIZE(upload), wu, ARRAY_SIZE(wu));
	check_flow("no-body", nobody, ARRAY_SIZE(nobody), wn, ARRAY_SIZE(wn));
	run_flow(&r, upload, ARRAY_SIZE(upload), AS_CAPTURED, 0);
	CHECK(r.ntx == 1 && r.tx[0].range_start == 500 && r.tx[0].range_end == 1000 &&
		      r.tx[0].range_size == 146515,
	      "content range not parsed");
	CHECK(r.ntx == 1 && r.tx[0].request_message_len == strlen("4;name=x\r\nabcd\r\n0\r\n"),
	      "request message length %llu",
	      r.ntx ? (unsigned long long)r.tx[0].request_message_len : 0ULL);
	CHECK(r.body_len[0] == 4 && memcmp(r.body[0], "abcd", 4) == 0, "chunked request body");
}

/* ---- hostile input ---- */

static struct http_state *feed_all(const struct seg *s, size_t n, struct run *r)
{
	struct http_state *st = http_state_create();

	memset(r, 0, sizeof(*r));
	http_state_set_body_cb(st, on_body, r);
	for (size_t i = 0; i < n; i++)
		feed(st, r, s[i].dir, s[i].data, s[i].len);
	return st;
}

static void test_bad_lengths(void)
{
	static const struct seg huge_cl[] = {
		/* does not fit in 64 bits: no body, and the next request parses */
		SEG0("POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"
		     "GET /b HTTP/1.1\r\n\r\n"),
		SEG1("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nrest of flow"),
	};
	static const struct seg max_cl[] = {
		/* fits: the body never ends, nothing overflows */
		SEG0("POST /a HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\nxyz"),
		SEG0("more body"),
	};
	static const struct seg bad_chunks[] = {
		SEG0("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
		SEG1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nxxxxx\r\n0\r\n\r\n"),
	};
	static const struct seg bad_chunks2[] = {
		SEG0("GET /1 HTTP/1.1\r\n\r\n"),
		SEG1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "FFFFFFFFFFFFFFFFFFFFFFFF\r\nxx"),
	};
	static const struct seg bad_req_chunk[] = {
		SEG0("POST /1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /2 HTTP/1.1\r\n\r\n"),
	};
	struct run r;
	struct http_state *st;
	struct http_stats stats;

	st = feed_all(huge_cl, ARRAY_SIZE(huge_cl), &r);
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 2, "huge C-L: %zu transactions", r.ntx);
	if (r.ntx == 2) {
		CHECK((r.tx[0].flags & HTTP_TXF_BAD_CL) && r.tx[0].request_content_length == -1,
		      "huge C-L not flagged");
		CHECK(strcmp(r.tx[1].uri, "/b") == 0 && !r.tx[1].has_response, "request after huge C-L");
		CHECK((r.tx[0].flags & HTTP_TXF_BAD_CL) && r.tx[0].response_body_len == 12,
		      "negative response C-L should run to close: %llu",
		      (unsigned long long)r.tx[0].response_body_len);
	}
	http_state_stats(st, &stats);
	CHECK(stats.bad_length == 2, "bad_length %llu", (unsigned long long)stats.bad_length);
	http_state_destroy(st);

	st = feed_all(max_cl, ARRAY_SIZE(max_cl), &r);
	CHECK(r.ntx == 0, "body of 2^63-1 bytes ended early");
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 1 && r.tx[0].request_body_len == 12 &&
		      (r.tx[0].flags & HTTP_TXF_REQ_INCOMPLETE) &&
		      r.tx[0].request_content_length == INT64_MAX,
	      "max C-L");
	http_state_destroy(st);

	st = feed_all(bad_chunks, ARRAY_SIZE(bad_chunks), &r);
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 3 && (r.tx[0].flags & HTTP_TXF_BAD_CHUNK) && r.tx[0].status == 200 &&
		      !r.tx[1].has_response && !r.tx[2].has_response,
	      "negative chunk size: %zu tx", r.ntx);
	http_state_destroy(st);

	st = feed_all(bad_chunks2, ARRAY_SIZE(bad_chunks2), &r);
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 1 && (r.tx[0].flags & HTTP_TXF_BAD_CHUNK), "huge chunk size");
	http_state_destroy(st);

	st = feed_all(bad_req_chunk, ARRAY_SIZE(bad_req_chunk), &r);
	http_flush(st);
	drain(st, &r);
	http_state_stats(st, &stats);
	CHECK(r.ntx == 1 && (r.tx[0].flags & HTTP_TXF_BAD_CHUNK) && stats.gave_up[0] == 1,
	      "garbage request chunk size: %zu tx, gave_up %llu", r.ntx,
	      (unsigned long long)stats.gave_up[0]);
	http_state_destroy(st);
}

static void test_endless_headers(void)
{
	static char block[HTTP_HDR_BLOCK_MAX * 2];
	struct http_state *st;
	struct http_stats stats;
	struct run r;
	size_t n = 0;

	/* header lines that never end the block */
	n = (size_t)snprintf(block, sizeof(block), "GET /endless HTTP/1.1\r\nHost: e\r\n");
	while (n + 40 < sizeof(block))
		n += (size_t)snprintf(block + n, sizeof(block) - n, "X-Pad: %030d\r\n", 7);
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < n; i += 1000)
		feed(st, &r, 0, block + i, n - i < 1000 ? n - i : 1000);
	http_state_stats(st, &stats);
	CHECK(stats.hdr_overflow == 1 && stats.gave_up[0] == 1, "endless headers: overflow %llu",
	      (unsigned long long)stats.hdr_overflow);
	CHECK(r.ntx == 0, "tx finished before its response");
	FEED_LIT(st, &r, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	CHECK(r.ntx == 1 && (r.tx[0].flags & HTTP_TXF_HDR_OVERFLOW) &&
		      strcmp(r.tx[0].host, "e") == 0 && r.tx[0].status == 200,
	      "truncated header block not kept");
	http_state_destroy(st);

	/* one line that never ends */
	memset(block, 'A', sizeof(block));
	memcpy(block, "GET /", 5);
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	feed(st, &r, 0, block, sizeof(block));
	http_flush(st);
	drain(st, &r);
	http_state_stats(st, &stats);
	CHECK(r.ntx == 0 && stats.gave_up[0] == 1, "endless request line");
	http_state_destroy(st);

	/* too many headers, within the size bound */
	n = (size_t)snprintf(block, sizeof(block), "GET /many HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_HDR_COUNT_MAX + 20; i++)
		n += (size_t)snprintf(block + n, sizeof(block) - n, "X%d: y\r\n", i);
	n += (size_t)snprintf(block + n, sizeof(block) - n, "Host: late\r\n\r\n");
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	feed(st, &r, 0, block, n);
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 1 && (r.tx[0].flags & HTTP_TXF_HDR_TOO_MANY) && r.tx[0].host[0] == 0,
	      "too many headers");
	http_state_destroy(st);

	/* a request cut short by the end of the flow is still reported */
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	FEED_LIT(st, &r, 0, "GET /cut HTTP/1.1\r\nHost: cut.example\r\nUser-Ag");
	http_flush(st);
	drain(st, &r);
	CHECK(r.ntx == 1 && strcmp(r.tx[0].host, "cut.example") == 0 &&
		      (r.tx[0].flags & HTTP_TXF_REQ_INCOMPLETE),
	      "cut request");
	http_state_destroy(st);
}

static void test_garbage(void)
{
	static uint8_t junk[4096];
	struct http_state *st;
	struct http_stats stats;
	struct run r;
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (uint8_t)x;
	}
	junk[0] = 0x16; /* TLS record, as on port 443 */
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	feed(st, &r, 0, junk, sizeof(junk));
	feed(st, &r, 1, junk + 100, 2000);
	FEED_LIT(st, &r, 0, "GET / HTTP/1.1\r\n\r\n");
	http_flush(st);
	drain(st, &r);
	http_state_stats(st, &stats);
	CHECK(r.ntx == 0 && stats.gave_up[0] == 1 && stats.gave_up[1] == 1,
	      "garbage: %zu tx, gave up %llu/%llu", r.ntx, (unsigned long long)stats.gave_up[0],
	      (unsigned long long)stats.gave_up[1]);
	http_state_destroy(st);

	/* text that is not HTTP: SMTP, SSH */
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	FEED_LIT(st, &r, 0, "EHLO mail.example\r\nMAIL FROM:<a@b>\r\n");
	FEED_LIT(st, &r, 1, "SSH-2.0-OpenSSH_9.2\r\n");
	http_flush(st);
	drain(st, &r);
	http_state_stats(st, &stats);
	CHECK(r.ntx == 0 && stats.gave_up[0] == 1 && stats.gave_up[1] == 1, "SMTP/SSH as HTTP");
	http_state_destroy(st);

	/* NUL in a header value */
	st = http_state_create();
	memset(&r, 0, sizeof(r));
	FEED_LIT(st, &r, 0, "GET / HTTP/1.1\r\nUser-Agent: ab\0cd\r\n\r\n");
	FEED_LIT(st, &r, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	CHECK(r.ntx == 1 && strcmp(r.tx[0].user_agent, "ab") == 0 &&
		      (r.tx[0].flags & HTTP_TXF_TRUNCATED),
	      "NUL in header");
	http_state_destroy(st);

	/* bad arguments */
	http_feed(NULL, 0, junk, 1, &(struct timeval){ 0, 0 });
	st = http_state_create();
	http_feed(st, 2, junk, 1, &(struct timeval){ 0, 0 });
	http_feed(st, 0, NULL, 5, &(struct timeval){ 0, 0 });
	CHECK(!http_next_tx(st, &r.tx[0]), "tx from nothing");
	http_state_destroy(st);
	http_state_destroy(NULL);
}

static void feed_str(struct http_state *st, int dir, const char *s)
{
	http_feed(st, dir, (const uint8_t *)s, strlen(s), &(struct timeval){ 1, 0 });
}

static void test_flood(void)
{
	struct http_state *st = http_state_create();
	struct http_stats stats;
	struct http_tx tx;
	unsigned popped = 0;

	/* pipelined requests that are never answered, and never read */
	for (int i = 0; i < 1000; i++)
		http_feed(st, 0, (const uint8_t *)"GET /x HTTP/1.1\r\n\r\n", 19,
			  &(struct timeval){ i, 0 });
	http_flush(st);
	while (http_next_tx(st, &tx))
		popped++;
	http_state_stats(st, &stats);
	CHECK(popped == HTTP_TX_QUEUE_MAX && stats.tx_dropped == 1000 - HTTP_TX_QUEUE_MAX &&
		      stats.tx_created == 1000,
	      "flood: popped %u dropped %llu", popped, (unsigned long long)stats.tx_dropped);
	http_state_destroy(st);
	/* more pipelined requests than the queue holds, read only at the end:
	 * the oldest are dropped, and their answers must not shift the pairing */
	st = http_state_create();
	for (int i = 0; i < 40; i++) {
		char req[64];
		int n = snprintf(req, sizeof(req), "GET /%d HTTP/1.1\r\n\r\n", i);

		http_feed(st, 0, (const uint8_t *)req, (size_t)n, &(struct timeval){ i, 0 });
	}
	for (int i = 0; i < 40; i++) {
		char res[96];
		int n = snprintf(res, sizeof(res), "HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%*s",
				 400 + i, i, i, "");

		http_feed(st, 1, (const uint8_t *)res, (size_t)n, &(struct timeval){ 50, 0 });
	}
	popped = 0;
	while (http_next_tx(st, &tx)) {
		char want[16];
		unsigned i = popped + (40 - HTTP_TX_QUEUE_MAX);

		snprintf(want, sizeof(want), "/%u", i);
		CHECK(strcmp(tx.uri, want) == 0 && tx.status == (int)(400 + i) &&
			      tx.response_body_len == i,
		      "pipelined overflow: %s got status %d", tx.uri, tx.status);
		popped++;
	}
	CHECK(popped == HTTP_TX_QUEUE_MAX, "pipelined overflow: popped %u", popped);
	http_state_destroy(st);

	/* once the response side is not HTTP, requests finish at once */
	st = http_state_create();
	feed_str(st, 0, "GET /1 HTTP/1.1\r\n\r\n");
	feed_str(st, 1, "\x16\x03\x01garbage");
	feed_str(st, 0, "GET /2 HTTP/1.1\r\n\r\n");
	popped = 0;
	while (http_next_tx(st, &tx))
		popped++;
	CHECK(popped == 2, "requests after a dead response side: %u finished", popped);
	http_state_destroy(st);
}

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random mutations of the captured flows, cut at random places: must not
 * crash, hang, or trip the sanitizers. */
static void test_mutations(void)
{
	const struct {
		const struct seg *s;
		size_t n;
	} flows[] = {
		{ flow0, ARRAY_SIZE(flow0) }, { flow1, ARRAY_SIZE(flow1) },
		{ flow2, ARRAY_SIZE(flow2) }, { flow3, ARRAY_SIZE(flow3) },
		{ flow4, ARRAY_SIZE(flow4) }, { flow6, ARRAY_SIZE(flow6) },
	};
	static uint8_t buf[8192];
	uint32_t x = 88172645u;

#define RND() rnd(&x)
	for (int round = 0; round < 3000; round++) {
		size_t f = RND() % ARRAY_SIZE(flows);
		struct http_state *st = http_state_create();
		struct run r;

		memset(&r, 0, sizeof(r));
		for (size_t i = 0; i < flows[f].n; i++) {
			size_t len = flows[f].s[i].len, off = 0;

			if (len > sizeof(buf))
				len = sizeof(buf);
			memcpy(buf, flows[f].s[i].data, len);
			for (unsigned m = RND() % 4; m > 0; m--) {
				static const uint8_t pick[] = { '\r', '\n', ' ', ':', '0', 'f',
								';', '-', 0,    0xff, '9' };

				size_t at = RND() % len;
				uint32_t v = RND();

				buf[at] = (v & 1) ? pick[(v >> 8) % sizeof(pick)] : (uint8_t)(v >> 16);
			}
			while (off < len) {
				size_t k = 1 + RND() % (len - off);

				feed(st, &r, flows[f].s[i].dir, buf + off, k);
				off += k;
			}
		}
		http_flush(st);
		drain(st, &r);
		CHECK(r.ntx <= 64, "mutation produced %zu transactions", r.ntx);
		http_state_destroy(st);
	}
#undef RND
}

static void test_looks_like_request(void)
{
	CHECK(http_looks_like_request((const uint8_t *)"GET / HTTP/1.1", 14), "GET");
	CHECK(http_looks_like_request((const uint8_t *)"OPTIONS * HTTP/1.1", 18), "OPTIONS");
	CHECK(!http_looks_like_request((const uint8_t *)"GET", 3), "GET without space");
	CHECK(!http_looks_like_request((const uint8_t *)"GETX /", 6), "GETX");
	CHECK(!http_looks_like_request((const uint8_t *)"HTTP/1.1 200 OK", 15), "response");
	CHECK(!http_looks_like_request(NULL, 0), "NULL");
}

int main(void)
{
	test_keepalive();
	test_post_expect_100();
	test_chunked();
	test_pipelined();
	test_close_delimited();
	test_http10_server();
	test_eve();
	test_absolute_uri_and_connect();
	test_odd_but_valid();
	test_bad_lengths();
	test_endless_headers();
	test_garbage();
	test_flood();
	test_mutations();
	test_looks_like_request();
	if (failures) {
		fprintf(stderr, "test_proto_http: %d failure(s)\n", failures);
		return 1;
	}
	return 0;
}

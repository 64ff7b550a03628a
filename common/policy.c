/*
 * policy.c - the scoring policy's table of settings (see policy.h). The
 * defaults here are the documented ones; rules/policy.conf repeats them
 * with their reasons.
 */
#include "policy.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define P(f) offsetof(struct policy, f)

const struct conf_opt policy_opts[] = {
	{ "window", 0, CONF_DURATION, P(window), "24h", 60, 0, "TIME",
	  "signals of one host about one indicator within this window are one incident",
	  "các tín hiệu cùng máy, cùng dấu hiệu trong khoảng này là một sự cố", false },
	{ "update-interval", 0, CONF_DURATION, P(update_interval), "60", 0, 0, "TIME",
	  "a changed incident is written again at most this often", "sự cố thay đổi được ghi lại tối đa với tần suất này", false },
	{ "max-incidents", 0, CONF_U64, P(max_incidents), "100000", 16, 0, "N",
	  "incidents kept in memory; the oldest are closed first", "số sự cố giữ trong bộ nhớ", false },
	{ "max-evidence", 0, CONF_U64, P(max_evidence), "16", 1, 256, "N",
	  "distinct pieces of evidence kept per incident", "số bằng chứng khác nhau giữ cho mỗi sự cố", false },
	{ "weight.ioc", 0, CONF_U64, P(weight_ioc), "60", 0, 10000, "N",
	  "points of an indicator match (before the severity factor)", "điểm khi khớp dấu hiệu IOC", false },
	{ "weight.yara", 0, CONF_U64, P(weight_yara), "70", 0, 10000, "N",
	  "points of a YARA match", "điểm khi khớp luật YARA", false },
	{ "weight.behaviour", 0, CONF_U64, P(weight_behaviour), "50", 0, 10000, "N",
	  "points of a behaviour signal (scan, brute force, beaconing, tunnelling)", "điểm của tín hiệu hành vi", false },
	{ "weight.risk", 0, CONF_U64, P(weight_risk_pct), "50", 0, 1000, "PERCENT",
	  "nDPI risks score their nDPI score times this percentage", "rủi ro nDPI được tính bằng điểm nDPI nhân tỉ lệ này", false },
	{ "risk.min-score", 0, CONF_U64, P(risk_min_score), "100", 0, 1000, "N",
	  "nDPI risks scoring below this are not signals", "rủi ro nDPI có điểm thấp hơn không được coi là tín hiệu", false },
	{ "severity.low", 0, CONF_U64, P(sev_pct[1]), "50", 0, 1000, "PERCENT", "factor for low-severity signals", "hệ số mức thấp", false },
	{ "severity.medium", 0, CONF_U64, P(sev_pct[2]), "100", 0, 1000, "PERCENT", "factor for medium", "hệ số mức trung bình", false },
	{ "severity.high", 0, CONF_U64, P(sev_pct[3]), "150", 0, 1000, "PERCENT", "factor for high", "hệ số mức cao", false },
	{ "severity.critical", 0, CONF_U64, P(sev_pct[4]), "200", 0, 1000, "PERCENT", "factor for critical", "hệ số mức nghiêm trọng", false },
	{ "threshold.low", 0, CONF_U64, P(threshold[1]), "1", 0, 0, "SCORE", "incident score from which it is low", "ngưỡng mức thấp", false },
	{ "threshold.medium", 0, CONF_U64, P(threshold[2]), "50", 0, 0, "SCORE", "... medium", "ngưỡng mức trung bình", false },
	{ "threshold.high", 0, CONF_U64, P(threshold[3]), "90", 0, 0, "SCORE", "... high", "ngưỡng mức cao", false },
	{ "threshold.critical", 0, CONF_U64, P(threshold[4]), "180", 0, 0, "SCORE", "... critical", "ngưỡng mức nghiêm trọng", false },
	{ "behaviour.window", 0, CONF_DURATION, P(b_window), "60", 1, 0, "TIME",
	  "window for scans, sweeps, brute force and tunnelling", "khoảng thời gian xét dò quét, dò mật khẩu, đường hầm", false },
	{ "behaviour.scan-ports", 0, CONF_U64, P(b_scan_ports), "25", 2, 65536, "N",
	  "distinct ports of one peer that make a port scan", "số cổng khác nhau trên một máy tạo thành dò quét cổng", false },
	{ "behaviour.sweep-hosts", 0, CONF_U64, P(b_sweep_hosts), "25", 2, 0, "N",
	  "distinct peers on one port that make a host sweep", "số máy khác nhau trên một cổng tạo thành quét dải", false },
	{ "behaviour.sweep-hosts-icmp", 0, CONF_U64, P(b_sweep_hosts_icmp), "12", 2, 0, "N",
	  "distinct addresses pinged that make a ping sweep", "số địa chỉ bị ping tạo thành quét ping", false },
	{ "behaviour.brute-attempts", 0, CONF_U64, P(b_brute_attempts), "10", 2, 0, "N",
	  "short connections to one login service that make brute force", "số kết nối ngắn tới dịch vụ đăng nhập tạo thành dò mật khẩu", false },
	{ "behaviour.beacon-min", 0, CONF_U64, P(b_beacon_min), "8", 3, 1024, "N",
	  "connections to one peer before regularity is judged", "số kết nối tới một máy trước khi xét tính đều đặn", false },
	{ "behaviour.beacon-jitter", 0, CONF_U64, P(b_beacon_jitter_pct), "20", 0, 100, "PERCENT",
	  "largest relative spread of intervals that is still a beacon", "độ lệch tương đối lớn nhất của khoảng cách vẫn coi là beacon", false },
	{ "behaviour.beacon-min-interval", 0, CONF_DURATION, P(b_beacon_min_interval), "1", 0, 0, "TIME",
	  "intervals shorter than this are not beacons", "khoảng ngắn hơn không coi là beacon", false },
	{ "behaviour.dns-tunnel-queries", 0, CONF_U64, P(b_dns_tunnel_queries), "50", 2, 0, "N",
	  "tunnel-like queries under one domain that make DNS tunnelling", "số truy vấn giống đường hầm dưới một tên miền", false },
	{ "behaviour.dns-label-len", 0, CONF_U64, P(b_dns_label_len), "30", 8, 63, "N",
	  "a label this long is tunnel-like", "nhãn dài từ mức này coi là giống đường hầm", false },
	{ "behaviour.dga-entropy", 0, CONF_U64, P(b_dga_entropy_x100), "250", 0, 800, "CENTIBITS",
	  "name entropy (bits per character x 100) from which a name looks generated",
	  "entropy của tên (bit/ký tự x 100) từ mức này coi là tên sinh tự động", false },
	{ "behaviour.max-hosts", 0, CONF_U64, P(b_max_hosts), "65536", 16, 0, "N",
	  "hosts whose behaviour is tracked; the least active are dropped", "số máy được theo dõi hành vi", false },
};

const size_t policy_nopts = ARRAY_SIZE(policy_opts);

int policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (conf_set_defaults(policy_opts, policy_nopts, p, err, errlen))
		return -EINVAL;
	p->sev_pct[0] = p->sev_pct[2];
	if (path && conf_load_file(policy_opts, policy_nopts, p, path, err, errlen))
		return -EINVAL;
	for (int i = 2; i <= 4; i++) {
		if (p->threshold[i] < p->threshold[i - 1]) {
			snprintf(err, errlen, "%s: threshold.%s is below the threshold before it",
				 path ? path : "policy", i == 2 ? "medium" : i == 3 ? "high" : "critical");
			return -EINVAL;
		}
	}
	return 0;
}

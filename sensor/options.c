/*
 * options.c - the table of sensor settings (see conf.h for how one table
 * serves the config file, the command line, defaults and --help).
 */
#include "options.h"

#include <stddef.h>

#include "util.h"
#include "banned.h"

#define O(f) offsetof(struct sensor_options, f)

const struct conf_opt sensor_opts[] = {
	{ "help", 'h', CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "show this help and exit", "in trợ giúp này rồi thoát", true },
	{ "version", 'V', CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "show the version and exit", "in phiên bản rồi thoát", true },
	{ "dump-config", 0, CONF_ACTION, 0, NULL, 0, 0, NULL,
	  "print the effective settings in config-file form and exit",
	  "in cấu hình đang dùng (dạng tệp cấu hình) rồi thoát", true },
	{ "config", 'c', CONF_STR, O(config), NULL, 0, 0, "FILE",
	  "read settings from FILE (key = value lines)",
	  "đọc cấu hình từ FILE (các dòng key = value)", true },
	{ "read", 'r', CONF_LIST, O(read), NULL, 0, 0, "PATH",
	  "read a pcap/pcapng file, a directory of them, or - for stdin; repeatable",
	  "đọc tệp pcap/pcapng, thư mục chứa chúng, hoặc - (stdin); dùng nhiều lần được", false },
	{ "interface", 'i', CONF_STR, O(interface), NULL, 0, 0, "IFACE",
	  "capture live on IFACE", "bắt gói trực tiếp trên giao diện IFACE", false },
	{ "filter", 'f', CONF_STR, O(filter), NULL, 0, 0, "BPF",
	  "BPF capture filter", "bộ lọc BPF khi bắt gói", false },
	{ "snaplen", 0, CONF_U64, O(snaplen), "65535", 64, 262144, "BYTES",
	  "bytes kept of each live packet", "số byte giữ lại của mỗi gói khi bắt trực tiếp", false },
	{ "promisc", 0, CONF_BOOL, O(promisc), "yes", 0, 0, NULL,
	  "promiscuous mode on the interface (--no-promisc to disable)",
	  "chế độ promiscuous trên giao diện (--no-promisc để tắt)", false },
	{ "buffer-size", 0, CONF_SIZE, O(buffer_size), "64M", 0, 1ULL << 31, "SIZE",
	  "kernel capture buffer", "bộ đệm bắt gói của nhân", false },
	{ "user", 'u', CONF_STR, O(user), "nobody", 0, 0, "USER",
	  "user to switch to after opening the interface",
	  "người dùng chuyển sang sau khi mở giao diện", false },
	{ "eve", 'e', CONF_STR, O(eve), "", 0, 0, "FILE",
	  "write EVE JSON events to FILE (- for stdout)",
	  "ghi sự kiện EVE JSON vào FILE (- là stdout)", false },
	{ "sensor-id", 0, CONF_STR, O(sensor_id), "", 0, 0, "ID",
	  "this sensor's name in events (default: host name)",
	  "tên cảm biến trong sự kiện (mặc định: tên máy)", false },
	{ "agency", 0, CONF_STR, O(agency), "", 0, 0, "NAME",
	  "the agency (đơn vị) whose LAN this sensor watches",
	  "đơn vị có mạng LAN mà cảm biến này giám sát", false },
	{ "home-net", 0, CONF_LIST, O(home_net),
	  "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7", 0, 0, "CIDR,...",
	  "the agency's own networks", "các dải mạng của đơn vị", false },
	{ "flow-memcap", 0, CONF_SIZE, O(flow_memcap), "256M", 1 << 20, 0, "SIZE",
	  "memory for flows; past it the longest-idle flow is evicted",
	  "bộ nhớ cho luồng; vượt quá thì luồng rảnh lâu nhất bị loại", false },
	{ "flow-timeout-tcp-new", 0, CONF_DURATION, O(to_tcp_new), "60", 1, 0, "SECS",
	  "idle timeout of TCP flows not yet established", "thời gian chờ luồng TCP chưa thiết lập", false },
	{ "flow-timeout-tcp-established", 0, CONF_DURATION, O(to_tcp_est), "600", 1, 0, "SECS",
	  "idle timeout of established TCP flows", "thời gian chờ luồng TCP đã thiết lập", false },
	{ "flow-timeout-tcp-closed", 0, CONF_DURATION, O(to_tcp_closed), "10", 0, 0, "SECS",
	  "grace time after FIN/RST before a TCP flow ends", "thời gian chờ sau FIN/RST trước khi kết thúc luồng TCP", false },
	{ "flow-timeout-udp", 0, CONF_DURATION, O(to_udp), "120", 1, 0, "SECS",
	  "idle timeout of UDP flows", "thời gian chờ luồng UDP", false },
	{ "flow-timeout-other", 0, CONF_DURATION, O(to_other), "60", 1, 0, "SECS",
	  "idle timeout of other flows (ICMP, ...)", "thời gian chờ các luồng khác (ICMP, ...)", false },
	{ "flow-active-timeout", 0, CONF_DURATION, O(to_active), "1800", 0, 0, "SECS",
	  "report long flows every SECS (0 = never)", "báo cáo luồng dài sau mỗi SECS giây (0 = không)", false },
	{ "defrag-memcap", 0, CONF_SIZE, O(defrag_memcap), "16M", 1 << 16, 0, "SIZE",
	  "memory for IP fragment reassembly", "bộ nhớ cho ghép mảnh IP", false },
	{ "defrag-timeout", 0, CONF_DURATION, O(defrag_timeout), "30", 1, 0, "SECS",
	  "drop incomplete fragmented datagrams after SECS", "bỏ gói phân mảnh chưa đủ sau SECS giây", false },
	{ "stats-interval", 0, CONF_DURATION, O(stats_interval), "0", 0, 0, "SECS",
	  "write a stats event every SECS (0 = only at exit and on SIGUSR1)",
	  "ghi sự kiện thống kê mỗi SECS giây (0 = chỉ khi thoát và khi nhận SIGUSR1)", false },
	{ "workers", 'w', CONF_U64, O(workers), "0", 0, 64, "N",
	  "worker threads for flows (0 = one per CPU; 1 = all in the capture thread)",
	  "số luồng xử lý (0 = bằng số CPU; 1 = xử lý ngay trong luồng bắt gói)", false },
	{ "progress", 0, CONF_BOOL, O(progress), "yes", 0, 0, NULL,
	  "progress bar on a terminal while reading files",
	  "thanh tiến độ trên terminal khi đọc tệp", false },
	{ "log-level", 0, CONF_STR, O(log_level), "info", 0, 0, "LEVEL",
	  "error, warning, info or debug", "error, warning, info hoặc debug", false },
};

const size_t sensor_nopts = ARRAY_SIZE(sensor_opts);

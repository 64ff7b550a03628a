/*
 * options.h - the sensor's settings: one table (options.c) gives each its
 * config-file key, command-line flag, default, range and help text.
 */
#ifndef HAIDANG_OPTIONS_H
#define HAIDANG_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "redis.h"

struct sensor_options {
	char *config;
	struct conf_list read;
	char *interface;
	char *filter;
	uint64_t snaplen;
	bool promisc;
	uint64_t buffer_size;
	char *user;
	bool seccomp;
	char *eve;
	char *rules;
	char *sensor_id;
	char *agency;
	struct conf_list home_net;
	uint64_t flow_memcap;
	uint64_t to_tcp_new, to_tcp_est, to_tcp_closed, to_udp_new, to_udp_est;
	uint64_t to_other_new, to_other_est, to_active;
	uint64_t defrag_memcap, defrag_timeout;
	uint64_t stream_depth, stream_memcap;
	uint64_t yara_timeout;
	uint64_t stats_interval;
	bool progress;
	uint64_t workers;
	char *log_level;
	char *log_format;
	/* the queue (docs/queue.md) */
	struct hd_redis_settings redis;
	char *spool;
	uint64_t spool_max, spool_drain;
	char *spool_fsync;
	uint64_t heartbeat;
};

extern const struct conf_opt sensor_opts[];
extern const size_t sensor_nopts;

#endif

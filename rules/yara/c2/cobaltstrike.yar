/*
 * Cobalt Strike as the crime groups run it: out-of-the-box profiles and
 * stagers. A customised malleable profile will pass these rules; the
 * default ones are still common on compromised office machines.
 */

rule c2_cobaltstrike_default_http_post : c2 cobaltstrike request
{
	meta:
		author = "haidang"
		description = "Cobalt Strike beacon check-in with the default profile: POST /submit.php?id=<beacon id> carrying application/octet-stream"
		description_vi = "Beacon Cobalt Strike gửi kết quả theo cấu hình mặc định: POST /submit.php?id=<mã beacon> với nội dung application/octet-stream"
		severity = "critical"
		category = "c2"
		reference = "https://hstechdocs.helpsystems.com/manuals/cobaltstrike/current/userguide/content/topics/malleable-c2_main.htm"

	strings:
		$post = /POST \/submit\.php\?id=[0-9]{4,10} HTTP\/1\.[01]\r\n/
		$ct = "Content-Type: application/octet-stream\r\n"

	condition:
		$post and $ct
}

rule c2_cobaltstrike_default_http_get : c2 cobaltstrike request
{
	meta:
		author = "haidang"
		description = "Cobalt Strike beacon poll with the default profile: GET of one of its stock URIs with the encrypted metadata as a bare base64 Cookie"
		description_vi = "Beacon Cobalt Strike hỏi lệnh theo cấu hình mặc định: GET một trong các URI có sẵn, siêu dữ liệu mã hoá đặt nguyên dạng base64 trong Cookie"
		severity = "critical"
		category = "c2"
		reference = "https://hstechdocs.helpsystems.com/manuals/cobaltstrike/current/userguide/content/topics/malleable-c2_main.htm"

	strings:
		$get = /GET \/(ca|dpixel|__utm\.gif|pixel\.gif|g\.pixel|dot\.gif|updates\.rss|fwlink|cm|cx|pixel|match|visit\.js|load|push|ptj|j\.ad|ga\.js|en_US\/all\.js|activity|IE9CompatViewList\.xml) HTTP\/1\.1\r\n/
		$cookie = /\r\nCookie: [A-Za-z0-9+\/]{100,300}={0,2}\r\n/

	condition:
		for any i in (1..#get) : (for any j in (1..#cookie) :
			(@cookie[j] > @get[i] and @cookie[j] < @get[i] + 1024))
}

rule c2_cobaltstrike_beacon_config : c2 cobaltstrike response file
{
	meta:
		author = "haidang"
		description = "Cobalt Strike beacon configuration block (BeaconType, port, sleep settings) XOR-encoded with 0x69 (3.x) or 0x2e (4.x) inside a downloaded stage"
		description_vi = "Khối cấu hình beacon Cobalt Strike (kiểu beacon, cổng, thời gian nghỉ) mã hoá XOR 0x69 (bản 3.x) hoặc 0x2e (bản 4.x) trong payload tải về"
		severity = "critical"
		category = "c2"
		reference = "https://github.com/DidierStevens/DidierStevensSuite/blob/master/1768.py"

	strings:
		// settings 1, 2, 3 as (id, type, length) triples, the values masked out
		$x69 = { 69 68 69 68 69 6B ?? ?? 69 6B 69 68 69 6B ?? ?? 69 6A 69 6B 69 6D }
		$x2e = { 2E 2F 2E 2F 2E 2C ?? ?? 2E 2C 2E 2F 2E 2C ?? ?? 2E 2D 2E 2C 2E 2A }
		$plain = { 00 01 00 01 00 02 ?? ?? 00 02 00 01 00 02 ?? ?? 00 03 00 02 00 04 }

	condition:
		any of them
}

rule c2_cobaltstrike_default_pipe : c2 cobaltstrike smb file
{
	meta:
		author = "haidang"
		description = "Cobalt Strike default named pipes (MSSE-<n>-server, msagent_<hex>, postex_<hex>) in SMB traffic or a payload"
		description_vi = "Tên pipe mặc định của Cobalt Strike (MSSE-<số>-server, msagent_<hex>, postex_<hex>) trong lưu lượng SMB hoặc trong payload"
		severity = "critical"
		category = "c2"
		reference = "https://labs.withsecure.com/publications/detecting-cobalt-strike-default-modules-via-named-pipe-analysis"

	strings:
		$msse = /MSSE-[0-9]{1,5}-server/ ascii wide
		$pipe = /\\\\\.\\pipe\\(msagent_[0-9a-f]{2}|postex_[0-9a-f]{4}|postex_ssh_[0-9a-f]{4}|status_[0-9a-f]{2})\b/ ascii wide

	condition:
		any of them
}

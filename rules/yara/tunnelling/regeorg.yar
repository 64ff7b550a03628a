/*
 * HTTP tunnels planted on a web server to reach the internal network:
 * reGeorg and its descendants, which carry SOCKS through a web page.
 */

rule tunnelling_regeorg : tunnelling webshell
{
	meta:
		author = "haidang"
		description = "reGeorg-style SOCKS-over-HTTP tunnel: its X-CMD/X-TARGET/X-PORT request headers, its 'Georg says' greeting, or the tunnel page itself"
		description_vi = "Đường hầm SOCKS qua HTTP kiểu reGeorg: các tiêu đề yêu cầu X-CMD/X-TARGET/X-PORT, lời chào 'Georg says', hoặc chính trang đường hầm"
		severity = "critical"
		category = "tunnelling"
		reference = "https://github.com/sensepost/reGeorg"

	strings:
		$greet = "Georg says, 'All seems fine'"
		$cmd = /\r\nX-CMD: (CONNECT|DISCONNECT|READ|FORWARD)\r\n/
		$target = /\r\nX-TARGET: [0-9a-zA-Z.:\-]{1,255}\r\n/
		$port = /\r\nX-PORT: [0-9]{1,5}\r\n/
		$page1 = /getHeader\s*\(\s*["']X-CMD["']\s*\)/ nocase
		$page2 = /\$_SERVER\s*\[\s*['"]HTTP_X_CMD['"]\s*\]/
		$page3 = /Request\.Headers\s*(\.Get\s*\(|\[)\s*"X-CMD"/

	condition:
		$greet or ($cmd and ($target or $port)) or any of ($page*)
}

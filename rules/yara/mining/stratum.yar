/*
 * Cryptocurrency miners on agency machines: the Stratum pool protocol
 * (JSON-RPC over TCP) and XMRig's login, in clear text.
 */

rule mining_stratum_protocol : mining
{
	meta:
		author = "haidang"
		description = "Cryptocurrency mining pool traffic: Stratum JSON-RPC (mining.subscribe, mining.authorize, mining.notify) or an XMRig/Monero pool login"
		description_vi = "Lưu lượng tới pool đào tiền mã hoá: Stratum JSON-RPC (mining.subscribe, mining.authorize, mining.notify) hoặc đăng nhập pool XMRig/Monero"
		severity = "medium"
		category = "mining"
		reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"

	strings:
		$m = /"method"\s*:\s*"mining\.(subscribe|authorize|notify|submit|set_difficulty)"/
		$x = /"method"\s*:\s*"login"\s*,\s*"params"\s*:\s*\{[^}]{0,400}"agent"\s*:\s*"[^"]{0,20}(XMRig|xmr-stak|cpuminer|SRBMiner|lolMiner)/ nocase
		$j = /"method"\s*:\s*"job"\s*,\s*"params"\s*:\s*\{[^}]{0,200}"blob"\s*:\s*"[0-9a-f]{76,}/

	condition:
		any of them
}

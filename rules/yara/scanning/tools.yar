/*
 * Attack tools that announce themselves in the User-Agent. Low severity:
 * they say someone is probing, not that anything worked, and the CSIRT's
 * own authorised scans look the same.
 */

rule scanning_tool_user_agent : scanning request
{
	meta:
		author = "haidang"
		description = "HTTP request from a vulnerability scanner or attack tool that names itself (sqlmap, Nikto, Nmap NSE, masscan, zgrab, Nuclei, WPScan, Acunetix)"
		description_vi = "Yêu cầu HTTP từ công cụ dò quét lỗ hổng hoặc công cụ tấn công tự xưng tên (sqlmap, Nikto, Nmap NSE, masscan, zgrab, Nuclei, WPScan, Acunetix)"
		severity = "low"
		category = "scanning"
		reference = "https://github.com/sqlmapproject/sqlmap/blob/master/lib/core/settings.py"

	strings:
		$ua = /\r\nUser-Agent:[ \t]*[^\r\n]{0,120}(sqlmap\/[0-9]|Nikto\/[0-9]|Nmap Scripting Engine|masscan\/[0-9]|zgrab\/[0-9]|Nuclei - Open-source project|WPScan v[0-9]|acunetix)/ nocase
		$acu = /\r\nAcunetix-(Product|Scanning-agreement|User-agreement):/ nocase

	condition:
		any of them
}

/*
 * ASP and ASP.NET webshells: classic ASP one-liners that evaluate a request
 * parameter, and .aspx pages that start a process with request input.
 * IIS hosts many of the province's older e-government portals.
 */

rule webshell_asp_eval_request : webshell asp upload
{
	meta:
		author = "haidang"
		description = "ASP/ASPX code that evaluates request input: eval(Request(...)), Execute Request(...), eval(Request.Item[...], \"unsafe\")"
		description_vi = "Mã ASP/ASPX thực thi trực tiếp dữ liệu từ yêu cầu HTTP: eval(Request(...)), Execute Request(...), eval(Request.Item[...], \"unsafe\")"
		severity = "critical"
		category = "webshell"
		reference = "https://attack.mitre.org/techniques/T1505/003/"

	strings:
		// the request parameter is named by a quoted string: request("x"), Request.Form["x"]
		$vbs = /\b(eval|execute|executeglobal)\s*(\(\s*|\s)request\s*(\.\s*(form|querystring|item|cookies|params))?\s*(\(\s*["'][^"'\r\n]{1,40}["']\s*\)|\[\s*["'][^"'\r\n]{1,40}["']\s*\])/ nocase
		$js = /\beval\s*\(\s*Request\s*\.\s*(Item|Form|QueryString|Params)\s*\[[^\]]{1,40}\]\s*,\s*["']unsafe["']/ nocase
		$asp = "<%"

	condition:
		$asp and ($vbs or $js)
}

rule webshell_asp_wscript_request : webshell asp upload
{
	meta:
		author = "haidang"
		description = "Classic ASP page that creates WScript.Shell and runs a command built from request input"
		description_vi = "Trang ASP tạo đối tượng WScript.Shell và chạy lệnh lấy từ dữ liệu yêu cầu HTTP"
		severity = "critical"
		category = "webshell"
		reference = "https://attack.mitre.org/techniques/T1505/003/"

	strings:
		$wsh = /CreateObject\s*\(\s*["']WScript\.Shell["']\s*\)/ nocase
		$run = /\.(exec|run)\s*\(\s*(["'][^"']{0,40}["']\s*[&+]\s*)?(trim\s*\(\s*)?request\s*(\.\s*(form|querystring|item))?\s*[\(\[]/ nocase

	condition:
		$wsh and $run
}

rule webshell_aspx_process_request : webshell aspx upload
{
	meta:
		author = "haidang"
		description = "ASP.NET page that fills a ProcessStartInfo (cmd.exe or powershell) from request input"
		description_vi = "Trang ASP.NET dùng ProcessStartInfo (cmd.exe hoặc powershell) với tham số lấy từ yêu cầu HTTP"
		severity = "critical"
		category = "webshell"
		reference = "https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.processstartinfo"

	strings:
		$psi = "ProcessStartInfo" fullword
		$req = /Request\s*(\.\s*(Form|QueryString|Params|Item))?\s*\[\s*["'][^"']{1,40}["']\s*\]/
		$shell1 = "cmd.exe" nocase
		$shell2 = "powershell" nocase
		$page1 = "<%@" 
		$page2 = /runat\s*=\s*["']?server/ nocase

	condition:
		$psi and $req and 1 of ($shell*) and 1 of ($page*)
}

/*
 * JSP webshells on Tomcat, WebLogic and JBoss: command execution from a
 * request parameter, and the encrypted class-loader shells (Behinder,
 * Godzilla style) that receive compiled Java classes.
 */

rule webshell_jsp_exec_request : webshell jsp upload
{
	meta:
		author = "haidang"
		description = "JSP code that runs Runtime.getRuntime().exec or a ProcessBuilder with request.getParameter input"
		description_vi = "Mã JSP chạy lệnh bằng Runtime.getRuntime().exec hoặc ProcessBuilder với tham số request.getParameter"
		severity = "critical"
		category = "webshell"
		reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/Runtime.html"

	strings:
		$direct = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(\s*(new\s+String\s*\[\s*\]\s*\{[^}]{0,80})?request\s*\.\s*getParameter\s*\(/
		$pb = /new\s+ProcessBuilder\s*\([^;]{0,120}request\s*\.\s*getParameter\s*\(/
		$exec = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
		$param = /request\s*\.\s*getParameter\s*\(\s*"[^"]{1,20}"\s*\)/
		$jsp = "<%"

	condition:
		$direct or $pb or ($exec and $param and $jsp and
			for any i in (1..#exec) : (for any j in (1..#param) :
				(@param[j] < @exec[i] + 600 and @exec[i] < @param[j] + 600)))
}

rule webshell_jsp_classloader : webshell jsp upload
{
	meta:
		author = "haidang"
		description = "JSP page that defines Java classes received in the request (ClassLoader.defineClass over request data): Behinder/Godzilla style in-memory shell"
		description_vi = "Trang JSP nạp lớp Java nhận từ yêu cầu HTTP (ClassLoader.defineClass trên dữ liệu yêu cầu): kiểu webshell Behinder/Godzilla chạy trong bộ nhớ"
		severity = "critical"
		category = "webshell"
		reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/ClassLoader.html"

	strings:
		$cl = /extends\s+ClassLoader\b/
		$def = /\.defineClass\s*\(/
		$req = /request\s*\.\s*(getReader|getInputStream|getParameter)\s*\(/
		$jsp = "<%"

	condition:
		all of them
}

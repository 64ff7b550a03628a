/*
 * PHP webshells: code that runs what an HTTP request carries. These rules
 * look at uploads (multipart bodies, PUT), at PHP source served by mistake
 * and at the pages a shell returns to its operator. They look for the
 * request input reaching an evaluator in the same expression, never for
 * eval or $_POST alone: both are everywhere in normal PHP.
 *
 * Tags: upload = seen in a request body, page = seen in a response.
 */

rule webshell_php_eval_request : webshell php upload
{
	meta:
		author = "haidang"
		description = "PHP code that passes request input (POST/GET/REQUEST/COOKIE) straight to eval, assert, create_function or a preg_replace /e pattern"
		description_vi = "Mã PHP đưa dữ liệu từ yêu cầu HTTP ($_POST/$_GET/$_REQUEST/$_COOKIE) thẳng vào eval, assert, create_function hoặc preg_replace /e: dấu hiệu webshell"
		severity = "critical"
		category = "webshell"
		reference = "https://www.php.net/manual/en/function.eval.php"

	strings:
		// eval($_POST['x']), @assert(stripslashes($_REQUEST[x])), eval(base64_decode($_GET[c]))
		$eval = /\b(eval|assert)\s*\(\s*@?\s*([a-z0-9_]{2,24}\s*\(\s*@?\s*){0,4}\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
		// create_function('', $_POST['x'])
		$cf = /\bcreate_function\s*\([^;]{0,60}\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
		// preg_replace('/.*/e', $_POST['x'], '')
		$prege = /\bpreg_replace\s*\(\s*['"]([^'"\\]|\\.){1,60}\/[a-df-z]{0,5}e[a-z]{0,5}['"]\s*,\s*@?\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
		// $_GET['f']($_GET['a']): the request names the function to call
		$dyn = /\$_(POST|GET|REQUEST|COOKIE)\s*\[\s*['"]?[a-z0-9_]{1,32}['"]?\s*\]\s*\(\s*@?\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase

	condition:
		any of them
}

rule webshell_php_command_request : webshell php upload
{
	meta:
		author = "haidang"
		description = "PHP code that runs an operating-system command taken from the request (system, passthru, shell_exec, exec, popen, proc_open or backticks)"
		description_vi = "Mã PHP chạy lệnh hệ điều hành lấy từ yêu cầu HTTP (system, passthru, shell_exec, exec, popen, proc_open hoặc dấu backtick)"
		severity = "critical"
		category = "webshell"
		reference = "https://www.php.net/manual/en/ref.exec.php"

	strings:
		$call = /\b(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s*\(\s*@?\s*([a-z0-9_]{2,24}\s*\(\s*){0,3}\$_(POST|GET|REQUEST|COOKIE|SERVER\s*\[\s*['"]HTTP_)/ nocase
		$tick = /`\s*\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*`/ nocase

	condition:
		any of them
}

rule webshell_php_packed_eval : webshell php upload
{
	meta:
		author = "haidang"
		description = "PHP eval of a decoding chain (gzinflate, gzuncompress, str_rot13, base64_decode, strrev...) or of a long base64 blob: how packed webshells and injected backdoors hide"
		description_vi = "PHP eval một chuỗi giải mã lồng nhau (gzinflate, gzuncompress, str_rot13, base64_decode, strrev...) hoặc một khối base64 dài: cách webshell và mã độc chèn vào web tự che giấu"
		severity = "high"
		category = "webshell"
		reference = "https://www.php.net/manual/en/function.gzinflate.php"

	strings:
		$chain = /\b(eval|assert)\s*\(\s*@?\s*(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|base64_decode|hex2bin)\s*\(\s*@?\s*(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|base64_decode|hex2bin)\s*\(/ nocase
		$blob = /\beval\s*\(\s*@?\s*base64_decode\s*\(\s*['"][A-Za-z0-9+\/]{400}/ nocase

	condition:
		any of them
}

rule webshell_php_known_kit : webshell php upload page
{
	meta:
		author = "haidang"
		description = "Markers of well-known PHP webshell kits (WSO/FilesMan, b374k, c99, r57, IndoXploit) in an upload or in the shell's own page"
		description_vi = "Dấu hiệu của các bộ webshell PHP phổ biến (WSO/FilesMan, b374k, c99, r57, IndoXploit) trong tệp tải lên hoặc trang do webshell trả về"
		severity = "critical"
		category = "webshell"
		reference = "https://github.com/b374k/b374k"

	strings:
		$wso1 = "FilesMan" fullword
		$wso2 = /\bwso(Login|Header|Footer|Ex|Perms|Scandir|WhichBin|Viewsize|RecursiveGlob)\s*\(/
		$wso3 = /\$default_action\s*=\s*['"]FilesMan['"]/
		$wso4 = /<title>[^<]{0,40}\bWSO [0-9]\.[0-9]/ nocase
		$b374k1 = "$b374k" nocase
		$b374k2 = /b374k\s+(shell|m1n1|[0-9]\.[0-9])/ nocase
		$c99a = "c99shell" nocase
		$c99b = /\bc99(sh|ftpbrutecheck|_buff_prepare|_sess_put|fsearch)_?[a-z]{0,10}\s*\(/ nocase
		$r57 = "r57shell" nocase
		$indo = /<title>[^<]{0,40}IndoXploit/ nocase

	condition:
		2 of ($wso*) or any of ($b374k*, $c99*, $r57, $indo)
}

rule webshell_china_chopper_client : webshell php asp upload
{
	meta:
		author = "haidang"
		description = "Request body of the China Chopper client (caidao): eval of base64 from parameter z0, or its ->| |<- output delimiters"
		description_vi = "Nội dung yêu cầu của trình điều khiển China Chopper (caidao): eval base64 từ tham số z0, hoặc các dấu phân cách ->| |<- của nó"
		severity = "critical"
		category = "webshell"
		reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-ii"

	strings:
		$z0a = /eval\s*\(\s*base64_decode\s*\(\s*\$_POST\s*\[\s*['"]?z0['"]?\s*\]/ nocase
		$z0b = /eval(%01|%20)?%28base64_decode%28%24_POST%5Bz0%5D%29%29/ nocase
		$z0c = "&z0=QGluaV9zZXQ"
		$delim1 = /(echo|print)\s*\(\s*["']->\|["']\s*\)\s*;/ nocase
		$delim2 = /Response\.Write\s*\(\s*["']{1,2}->\|["']{1,2}\s*\)/ nocase

	condition:
		any of them
}

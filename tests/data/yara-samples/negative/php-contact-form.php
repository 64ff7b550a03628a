<?php
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

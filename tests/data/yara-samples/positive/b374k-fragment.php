<?php exit('haidang YARA test sample'); ?>
<?php
/* b374k shell 3.2.3 (haidang test sample: only the marker lines) */
$GLOBALS['pass'] = "0000";
$b374k = "inert";
?>

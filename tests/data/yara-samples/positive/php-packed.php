<?php exit('haidang YARA test sample'); ?>
<?php eval(gzinflate(base64_decode('S03OyFdQz0jMTEnMS1eIdAxyVChJLS5RKE7MLchJVbcGAA=='))); ?>

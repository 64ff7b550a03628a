rule fixture_good
{
    strings:
        $a = "haidang fixture"
    condition:
        $a
}

rule fixture_one
{
    strings:
        $a = "haidang fixture one"
    condition:
        $a
}

rule fixture_two
{
    strings:
        $a = "haidang fixture two"
    condition:
        $a
}

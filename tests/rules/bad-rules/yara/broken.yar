rule fixture_broken
{
    strings:
        $a = "unterminated
    condition:
        $a
}

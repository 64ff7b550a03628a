rule fixture_three
{
    condition:
        filesize < 10
}

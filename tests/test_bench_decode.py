"""`bench decode`: an earlier decoding chain is loaded from git and every difference is shown to a person."""

from crawler.benchmarks.decode import chain_at, compare
from crawler.cli import main
from crawler.extraction.decode import Decoded, decode_html

PAGES = [("gb", '<meta charset="gb2312"><p>民警王喆在朱镕基题词前留影</p>'.encode("gb18030")),
         ("utf8", "<p>公安局通报：警方成功打掉一个非法集资团伙</p>".encode())]


def test_the_committed_chain_decodes_every_page_as_today_does():
    result = compare(PAGES, chain_at("HEAD"), decode_html, repeats=1)
    assert (result.pages, result.differences) == (2, [])
    assert sum(result.counts.values()) == 2


def test_a_page_decoded_differently_is_listed_with_both_readings_at_the_first_difference():
    def latin1(body: bytes) -> Decoded:
        return Decoded(body.decode("latin-1"), "iso8859-1")

    result = compare(PAGES, latin1, decode_html, repeats=1)
    assert [d.page for d in result.differences] == ["gb", "utf8"]
    gb = result.differences[0]
    assert (gb.old, gb.new) == ("iso8859-1", "gb18030")
    assert gb.new_text == '2312"><p>民警王喆在朱镕基题词前留影</p>'  # from 9 characters before the difference


def test_an_unknown_revision_is_one_line_and_status_2(capsys):
    assert main(["bench", "decode", "--against", "no-such-revision"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read crawler/extraction/decode.py at 'no-such-revision'")
    assert len(err.strip().splitlines()) == 1

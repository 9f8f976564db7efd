"""Every screen rendered in zh_CN at 80x24 fits (wide characters count two columns) and shows
no English sentence: a user-facing string that bypasses gettext fails here."""

from __future__ import annotations

import pytest
from cos_installer.screens.steps import ENTER

from cos_installer.flow import Step
from tests.screens.conftest import (
    AGENT_VALUES,
    CONTROLLER_VALUES,
    FakeEngine,
    FakeMachine,
    Harness,
    at,
    changed,
)
from tests.screens.test_layout import CASES, HASH, installed

from .conftest import assert_fits, untranslated, width


@pytest.mark.parametrize("name", sorted(CASES))
def test_screen_fits_in_chinese(zh, name):
    step, values = CASES[name]
    h = installed(values) if step == "progress" else at(step, values)
    assert h.step == step
    lines = assert_fits(h)
    assert not untranslated(lines), untranslated(lines)
    assert any(width(line) > len(line) for line in lines[2:-1]), "the body shows Chinese"


def test_review_dhcp_and_media_fit(zh, tmp_path, monkeypatch):
    monkeypatch.delenv("COS_MEDIA_DIR", raising=False)
    h = installed(changed(CONTROLLER_VALUES, system__password=None, system__password_hash=HASH))
    h.press("enter")
    assert h.step == "review"
    assert_fits(h, scrolls=True)
    h = at("welcome", CONTROLLER_VALUES)
    monkeypatch.setitem(ENTER, Step.DHCP, lambda app: None)  # the screen, without a probe
    h.app.show(Step.DHCP)
    lines = assert_fits(h)
    assert "正在 eth0 上用DHCP自动获取地址" in "\n".join(lines)
    h = Harness(FakeEngine(NoMediaMachine(str(tmp_path)), dry_run=False))
    lines = assert_fits(h)
    text = "\n".join(lines)
    assert "没有找到卷标为CDROM的设备" in text and not untranslated(lines)


class NoMediaMachine(FakeMachine):
    """The real media probe over an empty sysfs: the guide's CDROM Device Not Ready."""

    def __init__(self, sysfs: str) -> None:
        super().__init__()
        self.sysfs = sysfs

    def install_media(self):
        from cos_installer.hardware.media import find_install_media

        return find_install_media(self.sysfs)


def test_welcome_with_the_language_choice(zh):
    h = Harness(FakeEngine(), offer_language=True)
    lines = assert_fits(h)
    text = "\n".join(lines)
    assert "Language / 语言" in text and "中文 (简体)" in text and "欢迎使用" in text
    h.press("up", " ")  # English, at once
    assert "Welcome to the COS installer" in h.show()
    h.press("down", " ")
    assert "欢迎使用 COS 安装引导程序" in h.show()
    assert h.step == "welcome"


def test_field_errors_in_chinese_fit(zh):
    h = at("agent", changed(AGENT_VALUES, agent__controllers="10.0.0.1", agent__install_code="12"))
    h.press("enter")
    lines = assert_fits(h)
    text = "\n".join(lines)
    assert "第 1 项 '10.0.0.1' 没有端口" in text and "安装码必须是4位数字" in text
    h = at(
        "system",
        changed(CONTROLLER_VALUES, system__hostname="Node_1"),
        entered={"password_again": "other"},
    )
    h.press("enter")
    text = "\n".join(assert_fits(h))
    assert "主机名称中不能有 '_'" in text
    h = at("address", changed(CONTROLLER_VALUES, network__address="192.168.122.0/24"))
    h.press("enter")
    text = "\n".join(assert_fits(h))
    assert "192.168.122.0/24 是 192.168.122.0/24 的网络地址" in text


def test_quit_question_and_the_size_notice_fit(zh):
    h = at("confirm", CONTROLLER_VALUES)
    h.app.install_state = "running"
    h.press("ctrl c")
    lines = assert_fits(h)
    assert "退出安装?" in "\n".join(lines) and not untranslated(lines)
    small = at("welcome", size=(60, 20))
    text = small.show()
    assert "终端大小为 60x20" in text

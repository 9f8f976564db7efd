"""The real wizard in Chinese in a real terminal (tmux, 80x24, UTF-8): a whole agent walk with
--lang zh_CN as over SSH; the Welcome screen's language switch; no choice on the VGA console."""

from __future__ import annotations

import time

import pytest

from tests.screens.tmuxterm import INSTALLER

from .conftest import width

pytestmark = pytest.mark.realparts


def fits(shown: str) -> None:
    assert all(width(line) <= 80 for line in shown.splitlines()), shown


def test_agent_walk_in_chinese(term):
    term.run(f"{INSTALLER} --dry-run --machine demo --lang zh_CN")
    shown = term.wait_for("检测到 3 块网卡和 4 块磁盘。")
    assert "欢迎使用 COS 安装引导程序" in shown and "Language / 语言" in shown
    fits(shown)
    term.keys("Enter")
    term.wait_for("这台机器在COS集群中的角色")
    term.keys("Down", "Space", "Enter")  # Agent
    term.wait_for("Agent安装码")
    term.send_text("192.168.122.170:80,192.168.122.171:80")
    term.keys("Tab")
    term.send_text("12")
    term.keys("Enter")
    shown = term.wait_for("安装码必须是4位数字")
    fits(shown)
    term.keys("BSpace", "BSpace")
    term.send_text("8070")
    term.keys("Enter")
    term.wait_for("默认账户cos的密码")
    term.send_text("node1")
    term.keys("Tab")
    term.send_text("s3cret")
    term.keys("Tab")
    term.send_text("s3cret")
    term.keys("Enter")
    shown = term.wait_for("选择一块在COS集群中使用的网卡")
    assert "[Linked]" in shown and "[NoLink]" in shown
    term.keys("Enter")
    shown = term.wait_for("所有COS节点应该使用相同的网络模型")
    assert "适合大部分的部署环境" in shown
    term.keys("Enter")  # Bridge
    shown = term.wait_for("已根据 eth0 的DHCP应答预填")
    fits(shown)
    term.keys("Enter")
    term.wait_for("选择安装COS的磁盘")
    term.keys("Enter")
    term.wait_for("用第二块磁盘存放Docker数据")
    term.keys("Enter")
    shown = term.wait_for("以下磁盘上的所有数据都会被清空")
    assert "安装码 8070" in shown and "[ 返回 ]" in shown
    fits(shown)
    time.sleep(1.3)  # the Summary takes no key in its first second
    term.keys("Tab", "Enter")
    shown = term.wait_for("回车查看 Cloud Config 配置", 30)
    assert "安装完成" in shown
    term.keys("Enter")
    term.wait_for("#cloud-config")
    term.keys("Enter")
    term.wait_for("安装完毕")
    term.keys("Enter")
    term.wait_for("EXIT=0")


def test_the_welcome_screen_switches_the_language(term):
    term.run(f"{INSTALLER} --dry-run --machine demo")
    shown = term.wait_for("Found 3 network card(s)")
    assert "Language / 语言" in shown and "Welcome to the COS installer" in shown
    term.keys("Down", "Space")
    shown = term.wait_for("欢迎使用 COS 安装引导程序")
    fits(shown)
    term.keys("Enter")
    term.wait_for("这台机器在COS集群中的角色")
    term.keys("C-c")
    shown = term.wait_for("EXIT=130")
    assert "cos-installer: 安装前已退出: 没有改动任何磁盘。" in term.joined()


def test_no_chinese_on_the_vga_console(term):
    term.run(f"{INSTALLER} --dry-run --machine demo", term="linux")
    shown = term.wait_for("Found 3 network card(s)")
    assert "Language" not in shown and "语言" not in shown
    term.keys("C-c")
    term.wait_for("EXIT=130")

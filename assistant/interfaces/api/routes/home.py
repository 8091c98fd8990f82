"""GET /: a small search page, served when the web UI is not mounted."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home() -> str:
    return HOME_PAGE


HOME_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>智能工厂申报助手</title>
<style>body{font-family:sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem}
input{width:70%;padding:.5rem}button{padding:.5rem 1rem}.hit{border:1px solid #ddd;border-radius:6px;
padding:.6rem;margin:.6rem 0}.id{color:#0a58ca;font-family:monospace}.path{color:#666;font-size:.9em}</style>
</head><body><h1>智能工厂申报助手</h1><p>输入问题，查找《关于开展2024年度智能工厂梯度培育行动的通知》
及附件中的相关条款。API 文档见 <a href="/docs">/docs</a>。</p>
<form id="f"><input id="q" placeholder="例如：卓越级对成熟度有什么要求？" required>
<button>检索</button></form><div id="r"></div>
<script>
const f=document.getElementById('f'),r=document.getElementById('r');
f.onsubmit=async e=>{e.preventDefault();r.textContent='检索中…';
const res=await fetch('/v1/search?k=5&q='+encodeURIComponent(document.getElementById('q').value));
const d=await res.json();r.innerHTML='';
if(!res.ok){r.textContent=d.error.message;return}
if(!d.hits.length){r.textContent='没有找到相关条款。';return}
for(const h of d.hits){const div=document.createElement('div');div.className='hit';
const id=document.createElement('div');id.className='id';id.textContent='【'+h.clause_id+'】';
const p=document.createElement('div');p.className='path';p.textContent=h.heading;
const t=document.createElement('div');t.textContent=h.text;div.append(id,p,t);r.append(div)}};
</script></body></html>"""

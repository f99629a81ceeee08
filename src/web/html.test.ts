import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHtml, html, Html } from './html.ts';

test('text is escaped: < > & " and \' never reach the page as markup', () => {
  const name = `<script>alert("x")</script> & 'quote'`;
  assert.equal(
    html`<p>${name}</p>`.value,
    '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39;</p>',
  );
});

test('attribute values cannot be broken out of, with either quote', () => {
  const value = `" onmouseover="alert(1)' x='`;
  const double = html`<input value="${value}">`.value;
  const single = html`<input value='${value}'>`.value;
  assert.equal(double, '<input value="&quot; onmouseover=&quot;alert(1)&#39; x=&#39;">');
  assert.equal(single, "<input value='&quot; onmouseover=&quot;alert(1)&#39; x=&#39;'>");
});

test('an entity in the input is escaped again, not decoded (&amp;lt; stays text)', () => {
  assert.equal(html`${'&lt;b&gt;'}`.value, '&amp;lt;b&amp;gt;');
});

test('nested Html is inserted as is, not escaped twice', () => {
  const inner = html`<b>${'A&B'}</b>`;
  assert.equal(html`<p>${inner}</p>`.value, '<p><b>A&amp;B</b></p>');
  assert.equal(html`<div>${html`<p>${inner}</p>`}</div>`.value, '<div><p><b>A&amp;B</b></p></div>');
  assert.equal(String(inner), '<b>A&amp;B</b>');
});

test('arrays are joined without separators, each item escaped or kept as Html', () => {
  const items = ['<1>', '2&'];
  assert.equal(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value, '<ul><li>&lt;1&gt;</li><li>2&amp;</li></ul>');
  assert.equal(html`${['<a>', html`<b>`, ['<c>', html`<d>`]]}`.value, '&lt;a&gt;<b>&lt;c&gt;<d>');
  assert.equal(html`[${[]}]`.value, '[]');
});

test('null, undefined, false and true render as nothing; 0, numbers and bigints as text', () => {
  assert.equal(html`[${null}|${undefined}|${false}|${true}]`.value, '[|||]');
  assert.equal(html`[${0}|${-1.5}|${25_000n}|${''}]`.value, '[0|-1.5|25000|]');
  const shown = false;
  assert.equal(html`<p>${shown && html`<b>secret</b>`}</p>`.value, '<p></p>');
});

test('a plain string is never trusted as markup, only the Html class is', () => {
  const lookalike = { value: '<b>', toString: () => '<b>' };
  assert.equal(html`${lookalike as unknown as string}`.value, '&lt;b&gt;');
  assert.equal(html`${new Html('<b>')}`.value, '<b>');
});

test('escaped text never contains < > " \' or a bare &, and unescapes to the original', () => {
  const unescape = (s: string) =>
    s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const escaped = escapeHtml(text);
      assert.doesNotMatch(escaped, /[<>"']/);
      assert.doesNotMatch(escaped, /&(?!(lt|gt|quot|#39|amp);)/);
      assert.equal(unescape(escaped), text);
      assert.equal(html`${text}`.value, escaped);
    }),
  );
});

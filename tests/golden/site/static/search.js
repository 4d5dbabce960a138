// The search page's script: the site's only JavaScript, loaded by the search page alone.
//
// It loads Pagefind's own search module from the bundle (the form's data-bundle), which picks
// the index of the page's <html lang>, and lists what a query finds. Every string it shows
// comes from the page (translated there); the query is kept in the address (?q=) so a search
// can be linked to and reloaded.
const form = document.querySelector(".search-form");
const input = form.querySelector("input[name=q]");
const status = document.querySelector(".search-status[role=status]");
const list = document.querySelector(".search-results");
const SHOWN = 50;
let engine = null;
let latest = 0;

function load() {
  if (engine === null) {
    engine = import(new URL(form.dataset.bundle, document.baseURI).href).then(async (pagefind) => {
      // result URLs from the site's root, wherever the site is served from
      await pagefind.options({ baseUrl: new URL(form.dataset.root, document.baseURI).pathname });
      await pagefind.init();
      return pagefind;
    });
  }
  return engine;
}

// An excerpt as text, Pagefind's <mark> around the words found (nothing else kept).
function excerpt(html) {
  const parsed = document.createElement("template");
  parsed.innerHTML = html;
  const p = document.createElement("p");
  p.className = "search-excerpt";
  for (const node of parsed.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

async function run(query) {
  const asked = ++latest;
  if (!query.trim()) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  let found;
  try {
    const pagefind = await load();
    const search = await pagefind.search(query);
    found = { count: search.results.length, data: await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data())) };
  } catch (error) {
    console.warn("search:", error);
    status.textContent = status.dataset.failed;
    return;
  }
  if (asked !== latest) return; // a newer query is on its way
  const items = found.data.map((page) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = page.url;
    a.textContent = page.meta.title || page.url;
    li.append(a, excerpt(page.excerpt));
    return li;
  });
  list.replaceChildren(...items);
  status.textContent = found.count ? status.dataset.found.replace("{n}", String(found.count)) : status.dataset.none;
}

let pause = 0;
input.addEventListener("input", () => {
  clearTimeout(pause);
  pause = setTimeout(() => run(input.value), 200);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(pause);
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  run(input.value);
});
const asked = new URLSearchParams(location.search).get("q");
if (asked) {
  input.value = asked;
  run(asked);
}

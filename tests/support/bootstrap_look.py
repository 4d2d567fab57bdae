"""Does a Dash 4 component look like its Bootstrap counterpart? Measured in the browser.

A reference element (``<input class="form-control">``, ``<select class="form-select">``)
is added beside the page's own, the same computed properties are read from
both, and the reference is removed again: what differs is returned.
"""

from __future__ import annotations

from typing import Any

# Outer box: height, border, corners. Text: where it starts inside the border.
MEASURE_JS = """
const [selector, referenceHtml, textSelector] = arguments;
const box = (el) => {
  const c = getComputedStyle(el);
  return {height: Math.round(el.getBoundingClientRect().height),
          border: `${c.borderTopWidth} ${c.borderTopStyle} ${c.borderTopColor}`,
          radius: c.borderTopLeftRadius};
};
const textStart = (outer, inner) => {  // the content box's left edge, from the outer edge
  const c = getComputedStyle(inner);
  return Math.round(inner.getBoundingClientRect().left - outer.getBoundingClientRect().left
                    + parseFloat(c.borderLeftWidth) + parseFloat(c.paddingLeft));
};
const own = document.querySelector(selector);
const holder = document.createElement("div");
holder.innerHTML = referenceHtml;
document.getElementById("page-body").appendChild(holder);
const reference = holder.firstElementChild;
const ownInner = textSelector ? own.querySelector(textSelector) : own;
const result = {
  own: {...box(own), textStart: textStart(own, ownInner)},
  reference: {...box(reference), textStart: textStart(reference, reference)},
};
holder.remove();
return result;
"""


def mismatches(
    driver: Any, selector: str, reference_html: str, text_selector: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Property -> (the Dash component's value, Bootstrap's) for each that differs."""
    measured = driver.execute_script(MEASURE_JS, selector, reference_html, text_selector)
    own, reference = measured["own"], measured["reference"]
    return {key: (own[key], reference[key]) for key in reference if own[key] != reference[key]}


BOOTSTRAP_INPUT = '<input class="form-control" value="x">'
BOOTSTRAP_SELECT = '<select class="form-select"><option>x</option></select>'

# Dash's own first callback example ("Basic Dash Callbacks", dash.plotly.com/basic-callbacks),
# as its documentation writes it. connectkit changes two lines, marked "connectkit:";
# the rest (visitor, gate, health, compression) comes from installing it and the
# content's settings (CONNECTKIT_PLUGIN, CONNECTKIT_ALLOWED_GROUPS).
from connectkit import current_visitor  # connectkit: the one added import
from dash import Dash, Input, Output, callback, dcc, html

app = Dash()

app.layout = html.Div(
    [
        html.H6("Change the value in the text box to see callbacks in action!"),
        html.Div(["Input: ", dcc.Input(id="my-input", value="initial value", type="text")]),
        html.Br(),
        html.Div(id="my-output"),
    ]
)


@callback(
    Output(component_id="my-output", component_property="children"),
    Input(component_id="my-input", component_property="value"),
)
def update_output_div(input_value):
    return f"Output: {input_value}, for {current_visitor().display_name}"  # connectkit: the visitor


if __name__ == "__main__":
    app.run(debug=True)

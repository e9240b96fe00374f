%% The Erlang side of otp-dist's interoperability tests. Each scenario runs on
%% a real Erlang node, talks to the Rust node and reports to {harness, Rust}.
-module(dist_peer).
-export([ping/1, echo/1, serve/1]).

report(Rust, What) ->
    {harness, Rust} ! {report, node(), What}.

%% 1. net_adm:ping -> pong; the Rust node is hidden.
ping(Rust) ->
    Pong = net_adm:ping(Rust),
    report(Rust, {Pong, lists:member(Rust, nodes(hidden)), lists:member(Rust, nodes())}).

%% 2. {Name, Node} ! Msg gets a reply from the Rust process's pid.
echo(Rust) ->
    {rustproc, Rust} ! {hello, self()},
    receive
        {hi, Pid} when is_pid(Pid), node(Pid) =:= Rust -> report(Rust, {echo, ok})
    after 10000 -> report(Rust, {echo, timeout})
    end.

%% For Rust-initiated scenarios: an echo process and a gen_server, then wait.
serve(Rust) ->
    register(echo, spawn(fun echo_loop/0)),
    report(Rust, {serving, whereis(echo)}).

echo_loop() ->
    receive
        {From, Msg} when is_pid(From) -> From ! {echoed, Msg, node()}, echo_loop();
        _ -> echo_loop()
    end.

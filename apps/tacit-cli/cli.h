/*
 * tacit-cli — the command table. Each command gets argc/argv with argv[0] = its own name
 * and returns the process exit status (0 ok, 1 failure, 2 usage error / not available).
 */
#ifndef TACIT_CLI_H
#define TACIT_CLI_H

#define TACIT_CLI_VERSION "0.1.0"

struct tacit_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

int cmd_circuit(int argc, char **argv);
int cmd_groth16(int argc, char **argv);
/* cmd_groth16_prove.c: `tacit-cli groth16 export-vk` and `groth16 prove` */
int cmd_groth16_export_vk(int argc, char **argv);
int cmd_groth16_prove(int argc, char **argv);
int cmd_poseidon(int argc, char **argv);
int cmd_setup(int argc, char **argv);

#endif /* TACIT_CLI_H */

/// The `data` values of the encrypted ARGOS fixtures (Tests/WebhookCoreTests/Fixtures/argos-encrypted/*.json), embedded so
/// the tests do not depend on paths. The key is the SHA-256 of the UTF-8 API key "argos-test-api-key".
enum ArgosEncryptedFixtures {
    static let apiKey = "argos-test-api-key"
    static var all: [String] { [approved, delete, rejected] }

    static let approved = """
        igKcOA6xmZlKUzvEMYHbbV9EF9C2RNPHqKMjeP90XMnzhaQJqDwg99lY3LcMKxq8MMyTMvaGmdylFd67+u1HnSI6kgML8cU5Uq2J\
        zUrdHrmRTDoSiPmX3Iv3Gf+mr9usO+WtFqfClO0Wpie7TsG3DknnJ12L2u6sfS7CeM9F0LvoxIdMvnVEK4X3V3YZ3FYX875zy4kg\
        s661TyB5xc31swVfKA/6C5b0jiE8KhQeWig/yrUW4Qbo6xjDhdJNT0C7rQxtagDdU2iZO6gbC8Y9DBTWxRpqfPyNAoL436s9dFWW\
        OjdXf4ovSt4UDK/uYgsHX1b8TlN1tiOrU5pB0AJMaqco4Eh22emLWVxitn80Msr4BkZEJD4GzfFrnPflfE50ZcmoXKTWXXLzdIFC\
        GKgRVqZWBcTp3LDUcZzd10lyV1CItkFS/dLQUs5EBEJ7Xnj5ZycFn1L9FSTndSLsiosqkr0bXi50umJFA0gl648mpd40c1ERYzqe\
        81qNQOF6CUqZCl5KobcfCH0VEltbh3kmHekvTEHC/WaJocg0ku3bM+VdTSfbnlqSh+KJMl+bi6FR9EQE0gjaCX/9gV7XrvZQh4As\
        JZBgDoKMKi9HOwFpuVKZ8/hwUauL7Nhtfkn5+RveEBQ7+m/NTwP548jv4hY7iNaDiYVLNPD4qTo/Iv9OB5VZOyPN9m3Yfp3Zw9GA\
        N0SLEVWhpuF7+Ikod8wt7cws6JbzpcKfb3atIHdcumxxJiqlMiHQnPpQBc/sqOBFlVav5lGuoOIYc4VZuj2ILWfFLpi5CKcNOeM+\
        oHbsutf8sptgaGJCMDKKjXqt2MXfzqq+XKATFYc6rVEmEVe1b9r558wXJZunfiaMMET3wR7yvCGM1JDmKWEIaoeTyDEnXltbad59\
        JgoDTEGOOSevFpVFpFvIeiP5cbkXm0vO07SHQQvARyDiO2qVt5OoOuGFBn6xYRjLnDdOe8pw9l09Q5R9jJbfSLLjLyzUwcM0LfQJ\
        hPIAanT8849wfrDJLlgfgJUy1z6IRLuK4xwJNrwqTvqgzEL1IdOWPF1JXQgLHcz+cgUOXsYtLLY3oq7pavTtAYiuDplpMn6+xiPT\
        SMM7gzUT6Hl/jaoqSGzAyew00AwybfqZibghAnvXkwecOnhlA4bsniOOaY/50Zd7u7y1/IK4+9NhCW/2D79Lx86V7XoJRZHrORkz\
        hxuvd+t8PkBhyoAYfH/6nougr+P0MIxyo0SDLzxFsKEOxme8MBrmIA3BkEER6XWMylpiv1ymYNhypvPOAanZSLrZk3WhzLiQ6UpI\
        Yg==
        """
    static let delete = """
        igKcOA6xmZlKUzvEMYHbbelXAsiSG9tv4NxGaO3kAOKmWbpjM4Wy0Y0kFuqLg5ruTRyy1gCGtQ1uJlrpN+wX7JA/Q0Py0Ag077oc\
        +DH5Oi68+FM5HRz+KVuqwKv/3VNJHrs3iOg7nyAHvHvx1pQGXIODh1UkGjtiOXyCtVJqKcXCEKdjZGcrAbBGH01zSPTGEL7+f2l6\
        OEVYdXxBocdnHdEHZLpExxh/n7YU4OlR99P2N6zusLFHoMMGRhfLog6+
        """
    static let rejected = """
        igKcOA6xmZlKUzvEMYHbbSBZnMxfmV4WH8inueiIXku2j7AZF6AenpV1tS2I3w3U9MflFznDOjfG8XPddO+W8CuGYdYICy2fl4TO\
        y/AkXbBW4yEezgktMLpI7wS58IOiL42mh+saSWiAr84fD5yJcDF2vLlbuIiFbk2sqHJrgXfiWTkJmnsItsGLVLSfm2zU/NuopSU+\
        FYoFv1vRPrXeYz/KtRbhBujrGMOF0k1PQLuAxuKThvWWj4V0Z3Mw3vDe5uJX7DwDmkfyAyEg8WbOndbBuFgobfbocjjQ8IZ2a2oT\
        ObxDVoK1eQdi3ri1yh3xdAbHVtdtyjQkFT2SnTiuV0QP/1P6A/dUx8zf7W+8nrhF36K4dwgTTOaS45/nMvZ4rINa4QX/5gIOK6/Z\
        U65OUtGqF3WJzVvAmWNE/w0TcegeHAiTqrBPhqkyMqROlJYUv65RHd/KQ1p/1Zvrg3fI8E599HEcK8yE9+ZCiQ34Mp2qCYYIscpD\
        SOfCtZKSQPRZUWh198uZ6+y+Az3J+ep3cBIZ2ov2uJwPnV0zeF16k9U=
        """
}
